import type { Cmd } from "../../core/commands"
import { runCommands } from "../commit"
import { rowOrigin } from "../origin"
import type { RowCtx, Stage } from "../stage"

/** A row whose new state was already saved (we crashed mid-way) only needs its remaining commands. */
export const resumeCommitted: Stage<RowCtx, RowCtx> = (next) => (ctx) => {
  const { row } = ctx
  const origin = rowOrigin(row)
  if (row.reduced_at === null || !origin) return next(ctx)
  return runCommands(row, origin, (row.commands ?? []) as ReadonlyArray<Cmd>, row.commands_done)
}
