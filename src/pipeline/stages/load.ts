import { Effect, Result, Schema } from "effect"
import { initialSession, RateWindows } from "../../core/session"
import { findSessionAndSender } from "../../repositories/sessions.repo"
import { AppClock } from "../../services/clock"
import { Db } from "../../services/db"
import { Log } from "../../services/log"
import { Metrics } from "../../services/metrics"
import { Settings } from "../../services/settings"
import { AtReceipt } from "../at-receipt"
import { decodeChatState } from "../own-states"
import type { Handler, LoadedCtx, ReadCtx, Stage } from "../stage"

const decodeRate = Schema.decodeUnknownResult(RateWindows)

/** Loads who is writing (role from `authorized_users`) and the chat's session with its version. */
export const loadActorAndSession: Stage<ReadCtx, LoadedCtx> = (next) => (ctx) =>
  loadActorAndSessionStep(next, ctx)

const loadActorAndSessionStep = Effect.fnUntraced(function* (next: Handler<LoadedCtx>, ctx: ReadCtx) {
  const db = yield* Db
  const settings = yield* Settings
  const log = yield* Log
  const started = performance.now()
  const { row, origin, source } = ctx
  const { preloaded } = ctx
  const loaded =
    preloaded?.userId === origin.userId
      ? preloaded.loaded
      : yield* db.use("findSessionAndSender", (k) => findSessionAndSender(k, row.chat_id, origin.userId))
  const { session: stored, sender, limits } = loaded
  const decoded = stored ? decodeChatState(stored.state) : Result.succeed(initialSession)
  const reducing = yield* AtReceipt
  if (Result.isFailure(decoded) && !reducing)
    yield* log.warn("chat session did not decode; starting fresh", { chatId: row.chat_id })
  const now = (yield* (yield* AppClock).now).getTime()
  // The sender's counters come from user_limits (by user id), whatever the chat's row still holds.
  const session = {
    ...Result.getOrElse(decoded, () => initialSession),
    auth: limits.auth,
    // A sender never seen has no windows yet: decoding null would only build an error to throw away.
    rate:
      limits.rate === null
        ? initialSession.rate
        : Result.getOrElse(decodeRate(limits.rate), () => initialSession.rate),
  }
  const role = settings.config.authEnabled ? (sender?.role ?? null) : (sender?.role ?? "user")
  // A pass at receipt is timed as a whole (at-receipt.ts); its load is not the row's.
  if (!reducing)
    (yield* Metrics).stageLatency.observe({ stage: "load" }, (performance.now() - started) / 1000)
  yield* next({
    row,
    origin,
    source,
    loaded,
    now,
    version: stored?.version ?? 0,
    session,
    loadedSession: session,
    actor: {
      userId: origin.userId,
      chatId: row.chat_id,
      role,
      firstName: origin.firstName,
      username: origin.username,
      since: sender?.since ?? null,
    },
  })
})
