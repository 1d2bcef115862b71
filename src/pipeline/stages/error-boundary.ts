import { Cause, Effect } from "effect"
import { texts } from "../../nav/texts"
import { markFailed, markProcessed } from "../../repositories/inbox.repo"
import { Db } from "../../services/db"
import { ErrorReporter } from "../../services/error-reporter"
import { describeError, Log } from "../../services/log"
import { Metrics } from "../../services/metrics"
import { Settings } from "../../services/settings"
import { Telegram } from "../../services/telegram"
import type { Handler, RowCtx, RowHandler } from "../stage"

/** Attempts before a row is given up on; an unreachable database does not use them up (the row just waits). */
export const MAX_ATTEMPTS = 5

const giveUp = Effect.fnUntraced(function* (ctx: RowCtx) {
  const db = yield* Db
  yield* db.use("giveUp", (k) => markProcessed(k, ctx.row.id))
  const { config } = yield* Settings
  if (ctx.row.kind === "update" && ctx.row.chat_id > 0)
    yield* Effect.ignore((yield* Telegram).send(ctx.row.chat_id, texts.apology(config.env.SUPPORT_CONTACT)))
})

const recordFailure = Effect.fnUntraced(function* (ctx: RowCtx, cause: Cause.Cause<unknown>) {
  const log = yield* Log
  const metrics = yield* Metrics
  const error = Cause.squash(cause)
  const where = { rowId: ctx.row.id, chatId: ctx.row.chat_id, updateId: ctx.row.update_id ?? undefined }
  yield* log.error("update processing failed", { ...where, ...describeError(error) })
  yield* (yield* ErrorReporter).report(error, where)
  const db = yield* Db
  const recorded = yield* db.use("markFailed", (k) => markFailed(k, ctx.row.id, describeError(error).error))
  const final = (recorded?.attempts ?? 0) >= MAX_ATTEMPTS
  metrics.processingFailures.inc({ final: String(final) })
  if (final) yield* giveUp(ctx)
  return final
})

const failureNotRecorded = Effect.fnUntraced(function* (again: Cause.Cause<unknown>) {
  yield* (yield* Log).error(
    "could not record a failure; the row stays pending",
    describeError(Cause.squash(again)),
  )
  return false
})

const onFailure = (ctx: RowCtx, cause: Cause.Cause<unknown>) =>
  recordFailure(ctx, cause).pipe(Effect.catchCause(failureNotRecorded))

/**
 * The outermost stage: nothing escapes it. Version conflicts are retried at once from fresh state; any other
 * failure is logged, reported (ids only), counted on the row, and after the last attempt answered with an apology.
 * The user never sees raw error text. Answers whether the row is done with (processed, or given up on).
 */
export const errorBoundary = (next: Handler<RowCtx>): RowHandler => {
  // A retry reads everything again: what was preloaded with the lease is what lost the race.
  // Suspended: a stage that throws while its effect is built (plain code before its generator) fails in here too.
  const attempt = (ctx: RowCtx, conflictsLeft: number): ReturnType<Handler<RowCtx>> =>
    Effect.suspend(() => next(ctx)).pipe(
      Effect.catchTag("VersionConflict", (conflict) =>
        conflictsLeft > 0 ? attempt({ row: ctx.row }, conflictsLeft - 1) : Effect.fail(conflict),
      ),
    )
  return (ctx) =>
    attempt(ctx, 3).pipe(
      Effect.as(true),
      Effect.catchCause((cause) =>
        Cause.hasInterruptsOnly(cause) ? Effect.succeed(false) : onFailure(ctx, cause),
      ),
    )
}
