import { Effect } from "effect"
import { type Kysely, sql } from "kysely"
import type { Database, InboxRow } from "../../db/schema"
import type { Cmd } from "../app/commands"
import type { Session } from "../app/session"
import { insertEvent, markReduced } from "../repositories/inbox.repo"
import { saveSession } from "../repositories/sessions.repo"
import { Db } from "../services/db"
import { Metrics } from "../services/metrics"
import type { Origin } from "./decode"
import { interpret } from "./interpret"
import { type EventPayload, type LoadedCtx, VersionConflict } from "./stage"

const seconds = (since: number) => (performance.now() - since) / 1000

/**
 * Runs a row's saved commands from `from` on, recording progress after each one, so a crash resumes at the
 * first command not yet done. A command's feedback event is queued in the same transaction as its progress mark.
 */
export const runCommands = (row: InboxRow, origin: Origin, cmds: ReadonlyArray<Cmd>, from: number) =>
  Effect.gen(function* () {
    const db = yield* Db
    const metrics = yield* Metrics
    const started = performance.now()
    for (let i = from; i < cmds.length; i++) {
      const feedback = yield* interpret(row.chat_id, origin, cmds[i]!)
      const done = i + 1
      const last = done === cmds.length
      const mark = (k: Kysely<Database>) =>
        k
          .updateTable("update_inbox")
          .set(last ? { commands_done: done, processed_at: sql<Date>`now()` } : { commands_done: done })
          .where("id", "=", row.id)
          .execute()
          .then(() => undefined)
      // A lone progress mark is one atomic statement; a transaction (three round trips) only when a feedback event
      // must be queued together with it.
      yield* db.use("markCommandDone", (k) =>
        feedback
          ? k.transaction().execute(async (trx) => {
              await insertEvent(trx, row.chat_id, { feedback, origin } satisfies EventPayload)
              await mark(trx)
            })
          : mark(k),
      )
    }
    if (from >= cmds.length)
      yield* db.use("markProcessed", (k) =>
        k
          .updateTable("update_inbox")
          .set({ processed_at: sql<Date>`now()` })
          .where("id", "=", row.id)
          .execute(),
      )
    metrics.stageLatency.observe({ stage: "interpret" }, seconds(started))
  })

/**
 * Persist, then act: saves the chat's next state (version-checked) together with the commands to run, and only
 * then runs them. A crash after the save replays the remaining commands, never the reducer.
 */
export const commit = (ctx: LoadedCtx, next: Session, cmds: ReadonlyArray<Cmd>, redactedPayload?: unknown) =>
  Effect.gen(function* () {
    const db = yield* Db
    const metrics = yield* Metrics
    const started = performance.now()
    const chatId = ctx.row.chat_id
    // The state and the commands are saved together (a transaction); with the state unchanged, the commands
    // alone are one statement.
    const saved = yield* db.use("commit", (k) =>
      next === ctx.loadedSession
        ? markReduced(k, ctx.row.id, cmds, redactedPayload).then(() => true)
        : k.transaction().execute(async (trx) => {
            if (!(await saveSession(trx, chatId, next, ctx.version))) return false
            await markReduced(trx, ctx.row.id, cmds, redactedPayload)
            return true
          }),
    )
    if (!saved) return yield* new VersionConflict({ chatId })
    metrics.stageLatency.observe({ stage: "persist" }, seconds(started))
    yield* runCommands(ctx.row, ctx.origin, cmds, 0)
  })
