import { Effect } from "effect"
import type { InboxRow } from "../../db/schema"
import type { Cmd } from "../core/commands"
import type { Session } from "../core/session"
import type { SavedWork } from "../repositories/enqueue.repo"
import { markProcessed } from "../repositories/inbox.repo"
import type { Reduction } from "../repositories/reduction"
import { saveReductionWithWork } from "../repositories/sessions.repo"
import { markCommandDone, saveReduction } from "../repositories/step-writes.repo"
import type { NewWork, StartedWork } from "../repositories/work.repo"
import { Db } from "../services/db"
import { Metrics } from "../services/metrics"
import { AtReceipt, chatAfter, takeStep } from "./at-receipt"
import { ChatCopies } from "./chat-copies"
import type { Origin } from "./decode"
import { RowQueued } from "./deps"
import { interpret } from "./interpret"
import { readRow } from "./read-row"
import { type EventPayload, type LoadedCtx, VersionConflict } from "./stage"
import { stepWrites } from "./step-writes"
import { isWork, newWork, runStartedWork, startWork, type WorkCmd } from "./work"

const seconds = (since: number) => (performance.now() - since) / 1000

const isChatAction = (cmd: Cmd): cmd is Extract<Cmd, { _tag: "ChatAction" }> => cmd._tag === "ChatAction"

/** Commands that show the learner nothing yet: running one twice costs only time (an AI call, a chat action). */
const REPEAT_SAFE: ReadonlySet<Cmd["_tag"]> = new Set(["ChatAction", "AskPersona", "AskReview", "Transcribe"])

/** Whether a row's reduction may commit lazily: none of its commands can be seen, so a repeat is harmless. */
export const showsNothingYet = (cmds: ReadonlyArray<Cmd>) => cmds.every((c) => REPEAT_SAFE.has(c._tag))

/**
 * Runs a row's saved commands from `from` on, recording progress after each one, so a crash resumes at the
 * first command not yet done. A command's feedback event is queued in the same statement as its progress mark.
 */
export const runCommands = Effect.fnUntraced(function* (
  row: InboxRow,
  origin: Origin,
  cmds: ReadonlyArray<Cmd>,
  from: number,
) {
  const db = yield* Db
  const metrics = yield* Metrics
  const started = performance.now()
  for (let i = from; i < cmds.length; i++) {
    const cmd = cmds[i]!
    const last = i + 1 === cmds.length
    // A chat action (typing…) need not hold up what follows, nor be recorded: resending one after a crash is harmless.
    if (isChatAction(cmd) && !last) {
      yield* Effect.forkDetach(interpret(row.chat_id, origin, cmd))
      continue
    }
    // Work that outlives this statement is stored with the command's progress mark, then runs in the background.
    if (isWork(cmd)) {
      yield* startWork(row, origin, cmd, i + 1, last)
      continue
    }
    const feedback = yield* interpret(row.chat_id, origin, cmd)
    const event = feedback ? ({ feedback, origin } satisfies EventPayload) : undefined
    yield* db.use("markCommandDone", (k) =>
      markCommandDone(k, { id: row.id, chatId: row.chat_id, done: i + 1, last, event }),
    )
    if (event) (yield* RowQueued)()
  }
  if (from >= cmds.length) yield* db.use("markProcessed", (k) => markProcessed(k, row.id))
  metrics.stageLatency.observe({ stage: "interpret" }, seconds(started))
})

/** The chat as this step left it, for its next update to be reduced at receipt (at-receipt.ts). */
const remember = (ctx: LoadedCtx, reduction: Reduction) =>
  Effect.map(ChatCopies, (copies) =>
    copies.remember(ctx.row.chat_id, { userId: ctx.actor.userId, loaded: chatAfter(ctx.loaded, reduction) }),
  )

const conflict = (ctx: LoadedCtx) =>
  Effect.flatMap(ChatCopies, (copies) => {
    copies.forget(ctx.row.chat_id)
    return Effect.fail(new VersionConflict({ chatId: ctx.row.chat_id }))
  })

interface FirstWork {
  readonly cmd: WorkCmd
  readonly at: number
}

/** A step's first command that starts background work, when only chat actions (never recorded) come before it. */
const workFirst = (cmds: ReadonlyArray<Cmd>): FirstWork | undefined => {
  for (const [at, cmd] of cmds.entries()) {
    if (isWork(cmd)) return { cmd, at }
    if (!isChatAction(cmd)) return undefined
  }
  return undefined
}

/**
 * The work whose row was written with its step: the chat actions before it sent at once, as runCommands would,
 * never recorded (workFirst: only those come before it), then the work run in the background.
 */
const runSavedWork = Effect.fnUntraced(function* (
  row: InboxRow,
  origin: Origin,
  cmds: ReadonlyArray<Cmd>,
  { cmd, at }: FirstWork,
  work: NewWork,
  started: StartedWork,
) {
  for (const action of cmds.slice(0, at))
    if (isChatAction(action)) yield* Effect.forkDetach(interpret(row.chat_id, origin, action))
  yield* runStartedWork({ id: started.id, chatId: row.chat_id, origin }, cmd, work, started)
})

/** What follows a step whose work's row was written with it: the work, then the commands after it. */
const continueWithWork = Effect.fnUntraced(function* (
  row: InboxRow,
  origin: Origin,
  cmds: ReadonlyArray<Cmd>,
  first: FirstWork,
  work: NewWork,
  started: StartedWork,
) {
  const metrics = yield* Metrics
  const acting = performance.now()
  yield* runSavedWork(row, origin, cmds, first, work, started)
  if (first.at + 1 === cmds.length) metrics.stageLatency.observe({ stage: "interpret" }, seconds(acting))
  else yield* runCommands(row, origin, cmds, first.at + 1)
})

/** The work a step reduced at receipt starts first, for the statement that stores the update to write with it. */
const workAtReceipt = (ctx: LoadedCtx, cmds: ReadonlyArray<Cmd>, { cmd, at }: FirstWork) =>
  Effect.map(newWork(ctx.origin, cmd), (work) => ({ work, done: at + 1, last: at + 1 === cmds.length }))

/**
 * A row whose step was saved at receipt together with the work it starts (at-receipt.ts, migration 0019): what
 * commitWithWork does after its statement.
 */
export const resumeWithWork = (row: InboxRow, origin: Origin, saved: SavedWork) => {
  const cmds = (row.commands ?? []) as ReadonlyArray<Cmd>
  const first = workFirst(cmds)
  if (!first) return runCommands(row, origin, cmds, row.commands_done)
  return continueWithWork(row, origin, cmds, first, saved.work, saved)
}

/**
 * Only the work a step saved at receipt started, for a row whose worker does not get it (the chat's worker was
 * busy, or started meanwhile): that worker resumes the row after the work, which would otherwise wait for the sweep.
 */
export const runWorkOfSavedRow = (row: InboxRow, saved: SavedWork) => {
  const cmds = (row.commands ?? []) as ReadonlyArray<Cmd>
  const first = workFirst(cmds)
  const read = readRow(row)
  if (!first || !read) return Effect.void
  return runSavedWork(row, read.origin, cmds, first, saved.work, saved)
}

/**
 * A step that starts background work first (an AI turn): saved together with the work's row and the progress up to
 * it, in one statement, so the work starts one round trip after the update was stored. The same state as a save
 * followed by `startWork` would leave, minus the commit between them.
 */
const commitWithWork = Effect.fnUntraced(function* (
  ctx: LoadedCtx,
  cmds: ReadonlyArray<Cmd>,
  reduction: Reduction & { readonly state: unknown },
  { cmd, at }: FirstWork,
) {
  const db = yield* Db
  const metrics = yield* Metrics
  const started = performance.now()
  const work = yield* newWork(ctx.origin, cmd)
  const progress = { done: at + 1, last: at + 1 === cmds.length }
  // Durable, as startWork's statement: the work's id lives on in this process (its fiber, its settle), and the
  // values of a sequence that a lost lazy commit drew may be handed out again after a PostgreSQL crash.
  const saved = yield* db.use("commitWithWork", (k) => saveReductionWithWork(k, reduction, progress, work))
  if (!saved) return yield* conflict(ctx)
  yield* remember(ctx, reduction)
  metrics.stageLatency.observe({ stage: "persist" }, seconds(started))
  yield* continueWithWork(ctx.row, ctx.origin, cmds, { cmd, at }, work, saved)
})

/**
 * Persist, then act: saves the chat's next state (version-checked) together with the commands to run, and only
 * then runs them. A crash after the save replays the remaining commands, never the reducer.
 */
export const commit = Effect.fnUntraced(function* (
  ctx: LoadedCtx,
  next: Session,
  cmds: ReadonlyArray<Cmd>,
  redactedPayload?: unknown,
) {
  const db = yield* Db
  const metrics = yield* Metrics
  const started = performance.now()
  const reduction: Reduction = {
    rowId: ctx.row.id,
    chatId: ctx.row.chat_id,
    expectedVersion: ctx.version,
    commands: cmds,
    redactPayload: redactedPayload,
    ...stepWrites(ctx, next),
  }
  const first = workFirst(cmds)
  const reducing = yield* AtReceipt
  if (reducing) return takeStep(reducing, ctx, reduction, first && (yield* workAtReceipt(ctx, cmds, first)))
  if (first && reduction.state !== undefined && ctx.version > 0)
    return yield* commitWithWork(ctx, cmds, { ...reduction, state: reduction.state }, first)
  // The state and the commands are saved together, in one statement; with the state unchanged, the commands alone.
  // The sender's counters and name, when changed, go in the same statement.
  // Durable before visible: a save whose commands show nothing yet may commit lazily. Lost in a PostgreSQL
  // crash, the row is still pending and is reduced again; the durable commit before anything is shown flushes it.
  const durability = showsNothingYet(cmds) ? "useLazyCommit" : "use"
  const saved = yield* db[durability]("commit", (k) => saveReduction(k, reduction))
  if (!saved) return yield* conflict(ctx)
  yield* remember(ctx, reduction)
  metrics.stageLatency.observe({ stage: "persist" }, seconds(started))
  yield* runCommands(ctx.row, ctx.origin, cmds, 0)
})
