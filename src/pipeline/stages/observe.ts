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
export const observe: Stage<RowCtx, RowCtx> = (next) => (ctx) => {
  const started = performance.now()
  const type = typeOf(ctx)
  return next(ctx).pipe(Effect.onExit((exit) => rowDone(ctx, exit, started, type)))
}

const rowDone = Effect.fnUntraced(function* (
  ctx: RowCtx,
  exit: Exit.Exit<unknown, unknown>,
  started: number,
  type: string,
) {
  const outcome = Exit.isSuccess(exit) ? "ok" : "failed"
  const ms = performance.now() - started
  const metrics = yield* Metrics
  metrics.updates.inc({ type, outcome })
  metrics.stageLatency.observe({ stage: "total" }, ms / 1000)
  yield* (yield* Log).debug("row processed", {
    rowId: ctx.row.id,
    chatId: ctx.row.chat_id,
    type,
    outcome,
    ms,
  })
})
