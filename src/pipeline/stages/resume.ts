import type { Cmd } from "../../core/commands"
import { resumeWithWork, runCommands } from "../commit"
import type { ReadCtx, Stage } from "../stage"

/**
 * A row whose new state was already saved (we crashed mid-way, or its step was saved at receipt) only needs its
 * remaining commands; with the work its step started written alongside (`started`), that work is run first.
 */
export const resumeCommitted: Stage<ReadCtx, ReadCtx> = (next) => (ctx) => {
  const { row, origin, started } = ctx
  if (row.reduced_at === null) return next(ctx)
  if (started) return resumeWithWork(row, origin, started)
  return runCommands(row, origin, (row.commands ?? []) as ReadonlyArray<Cmd>, row.commands_done)
}
