import { Context, Effect } from "effect"
import type { InboxRow } from "../../db/schema"
import type { NewRow, ReducedAtReceipt, WorkAtReceipt } from "../repositories/enqueue.repo"
import { NO_LIMITS } from "../repositories/limits.repo"
import type { Reduction } from "../repositories/reduction"
import { savableTogether } from "../repositories/save-reductions.repo"
import type { SessionAndSender } from "../repositories/sessions.repo"
import { Metrics } from "../services/metrics"
import type { Deps } from "./deps"
import { readRow } from "./read-row"
import type { Handler, LoadedCtx, ReadCtx } from "./stage"

/**
 * An update (or a work's result) reduced at receipt, before it is stored: from this instance's copy of the chat (the
 * session and sender its last step here left, `ChatCopies`), or, for a chat it has no copy of, from a chat never
 * seen. The statement that stores the row saves the step with it only if the chat is still exactly that (migrations
 * 0017–0019): then the reply is one commit away from the row instead of two. Otherwise the step is dropped and the
 * row is processed the ordinary way, so a wrong guess costs the reduction's CPU and nothing else.
 */

/** What a step reduced at receipt leaves: the step, and the chat as its save leaves it. */
export interface StepAtReceipt extends ReducedAtReceipt {
  readonly after: SessionAndSender
}

/**
 * Set while a row is reduced at receipt: commit() hands its step here instead of saving it. A stage that would do
 * or record something on the way (a metric, a password check) returns without a step instead: the ordinary path's.
 */
export interface Reducing {
  step?: Omit<StepAtReceipt, "expected">
}

export const AtReceipt = Context.Reference<Reducing | undefined>("emco/AtReceipt", {
  defaultValue: () => undefined,
})

/** The chat as a step's save leaves it, from what the step was computed from and what it writes. */
export const chatAfter = (loaded: SessionAndSender, r: Reduction): SessionAndSender => ({
  session: r.state === undefined ? loaded.session : { state: r.state, version: r.expectedVersion + 1 },
  sender:
    loaded.sender && r.profile
      ? { ...loaded.sender, username: r.profile.username, firstName: r.profile.firstName }
      : loaded.sender,
  limits: r.counters
    ? { auth: r.counters.auth, rate: r.counters.rate, revoked: loaded.limits.revoked }
    : loaded.limits,
})

/**
 * commit()'s part: takes the step if the statement that stores the row can save it as saveReduction would (no
 * rename, nothing scrubbed from the update), with the work it starts first, as saveReductionWithWork would.
 */
export const takeStep = (reducing: Reducing, ctx: LoadedCtx, reduction: Reduction, work?: WorkAtReceipt) => {
  if (!savableTogether(reduction) || reduction.redactPayload !== undefined) return
  const { rowId: _unknownYet, ...step } = reduction
  reducing.step = { step, after: chatAfter(ctx.loaded, reduction), ...(work && { work }) }
}

/** A chat nobody has written to: no session, no role, no counters. */
export const NEVER_SEEN: SessionAndSender = {
  session: undefined,
  sender: undefined,
  limits: NO_LIMITS,
}

/** The row as it will be stored, for the stages to read (its id is not known yet; the step never uses it). */
const unstoredRow = (row: NewRow): InboxRow => ({
  id: 0,
  update_id: row.updateId,
  chat_id: row.chatId,
  kind: row.kind,
  payload: row.payload,
  received_at: new Date(),
  reduced_at: null,
  commands: null,
  commands_done: 0,
  processed_at: null,
  attempts: 0,
  last_error: null,
})

/**
 * The update's step, reduced by `reduce` (the pipeline from the load on) from `expected`; undefined when a stage
 * left the path this one can take, or anything failed (the ordinary path then does it all again, and reports).
 */
export const reduceAtReceipt = (
  row: NewRow,
  expected: SessionAndSender,
  reduce: Handler<ReadCtx>,
): Effect.Effect<StepAtReceipt | undefined, never, Deps> => {
  const stored = unstoredRow(row)
  const read = readRow(stored)
  if (!read) return Effect.succeed(undefined)
  const reducing: Reducing = {}
  return Effect.suspend(() => {
    const started = performance.now()
    return reduce({ row: stored, ...read, preloaded: { loaded: expected, userId: row.userId } }).pipe(
      Effect.provideService(AtReceipt, reducing),
      Effect.exit,
      Effect.flatMap((exit) =>
        Effect.map(Metrics, (metrics): StepAtReceipt | undefined => {
          metrics.stageLatency.observe({ stage: "at_receipt" }, (performance.now() - started) / 1000)
          return exit._tag === "Success" && reducing.step ? { expected, ...reducing.step } : undefined
        }),
      ),
    )
  })
}
