import { Effect } from "effect"
import { markProcessed } from "../../repositories/inbox.repo"
import { Db } from "../../services/db"
import { Log } from "../../services/log"
import { readRow } from "../read-row"
import type { ReadCtx, RowCtx, Stage } from "../stage"

/** Reads the row once (who it is for, what it carries); a row without a sender is marked done and skipped. */
export const readTheRow: Stage<RowCtx, ReadCtx> = (next) => (ctx) => {
  const read = readRow(ctx.row)
  if (read) return next({ ...ctx, ...read })
  return skipRow(ctx.row.id)
}

const skipRow = Effect.fnUntraced(function* (rowId: number) {
  yield* (yield* Log).warn("inbox row without a sender skipped", { rowId })
  yield* (yield* Db).use("skipRow", (k) => markProcessed(k, rowId))
})
