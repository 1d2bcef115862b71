import { Effect, Exit } from "effect"
import type { Update } from "grammy/types"
import { Log } from "../../services/log"
import { Metrics } from "../../services/metrics"
import type { RowCtx, Stage } from "../stage"

const typeOf = (ctx: RowCtx): string => {
  if (ctx.row.kind === "event") return "event"
  const u = ctx.row.payload as Update
  return u.message ? "message" : u.callback_query ? "callback_query" : "other"
}

/** Counts every row by type and outcome and times the whole pass; logs ids only, never message text. */
export const observe: Stage<RowCtx, RowCtx> = (next) => (ctx) =>
  Effect.gen(function* () {
    const metrics = yield* Metrics
    const log = yield* Log
    const started = performance.now()
    const type = typeOf(ctx)
    return yield* next(ctx).pipe(
      Effect.onExit((exit) =>
        Effect.gen(function* () {
          const outcome = Exit.isSuccess(exit) ? "ok" : "failed"
          const ms = performance.now() - started
          metrics.updates.inc({ type, outcome })
          metrics.stageLatency.observe({ stage: "total" }, ms / 1000)
          yield* log.debug("row processed", { rowId: ctx.row.id, chatId: ctx.row.chat_id, type, outcome, ms })
        }),
      ),
    )
  })
