import { Cause, Effect, type Exit } from "effect"
import type { Update } from "grammy/types"
import { sharedDeadline } from "../lib/shared-deadline"
import { ChatQueue } from "../pipeline/chat-queue"
import { originOf } from "../pipeline/decode"
import { Log } from "../services/log"
import { Metrics } from "../services/metrics"
import { refusedValue } from "./refused-value"
import { isWellFormedUpdate, MAX_UPDATE_DEPTH, nestedDeeperThan, storable } from "./well-formed"

export type Receipt = "stored" | "duplicate" | "ignored" | "rejected"

/**
 * An update that can never be stored is counted, logged by its id and acknowledged: retried, it would fail
 * forever (webhook) or hold every later update back (polling).
 */
const rejected = Effect.fnUntraced(function* (updateId: number, reason: "too_deep" | "unstorable") {
  const metrics = yield* Metrics
  metrics.validationRejections.inc({ reason })
  metrics.updates.inc({ type: "other", outcome: "rejected" })
  yield* (yield* Log).warn("update rejected", { updateId, reason })
  return "rejected" as Receipt
})

/**
 * Intake for polling and the webhook alike: store first (the inbox dedupes on update_id), then hand the chat to
 * the queue. Returns once the update is durable (or refused for good); processing happens in the background, in
 * chat order.
 */
export const receiveUpdate = Effect.fnUntraced(function* (received: Update) {
  const metrics = yield* Metrics
  if (nestedDeeperThan(received, MAX_UPDATE_DEPTH)) return yield* rejected(received.update_id, "too_deep")
  const update = storable(received)
  if (!isWellFormedUpdate(update)) {
    metrics.validationRejections.inc({ reason: "malformed_update" })
    metrics.updates.inc({ type: "other", outcome: "ignored" })
    return "ignored" as Receipt
  }
  const origin = originOf(update)
  if (!origin) {
    metrics.updates.inc({ type: "other", outcome: "ignored" })
    return "ignored" as Receipt
  }
  const row = {
    chatId: origin.chatId,
    updateId: update.update_id,
    kind: "update" as const,
    payload: update,
    userId: origin.userId,
  }
  const id = yield* (yield* ChatQueue)
    .enqueue(row)
    .pipe(
      Effect.catchTag("DbError", (error) =>
        refusedValue(error, update).pipe(
          Effect.flatMap((refused) => (refused ? Effect.succeed("refused" as const) : Effect.fail(error))),
        ),
      ),
    )
  if (id === "refused") return yield* rejected(update.update_id, "unstorable")
  if (id === null) {
    metrics.duplicates.inc()
    return "duplicate" as Receipt
  }
  return "stored" as Receipt
})

type RunCallback = (
  receipt: ReturnType<typeof receiveUpdate>,
  options: { readonly onExit: (exit: Exit.Exit<Receipt, unknown>) => void },
) => () => void

/**
 * `receiveUpdate` within a deadline (shared-deadline.ts): past it the fiber is interrupted and the promise fails with
 * DeadlineExceeded. One timer for all receipts, where Effect.timeout would race two more fibers for every update.
 */
export const receiveWithin = (ms: number, run: RunCallback) => {
  const within = sharedDeadline(ms)
  return (update: Update): Promise<Receipt> =>
    within((done) =>
      run(receiveUpdate(update), {
        onExit: (exit) =>
          done(
            exit._tag === "Success"
              ? { ok: true, value: exit.value }
              : { ok: false, error: Cause.squash(exit.cause) },
          ),
      }),
    )
}

/** Update types the bot subscribes to (setWebhook / getUpdates `allowed_updates`). */
export const ALLOWED_UPDATES = ["message", "callback_query"] as const
