import type { Cmd } from "../../core/commands"
import { runCommands } from "../commit"
import type { ReadCtx, Stage } from "../stage"

/** A row whose new state was already saved (we crashed mid-way) only needs its remaining commands. */
export const resumeCommitted: Stage<ReadCtx, ReadCtx> = (next) => (ctx) => {
  const { row, origin } = ctx
  if (row.reduced_at === null) return next(ctx)
  return runCommands(row, origin, (row.commands ?? []) as ReadonlyArray<Cmd>, row.commands_done)
}
