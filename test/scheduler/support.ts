import { Effect } from "effect"
import type { Kysely } from "kysely"
import type { Database } from "../../db/schema"
import type { JobHandler } from "../../src/scheduler/scheduler"
import { type DbShape, makeDb, openDatabase } from "../../src/services/db"
import { type LogShape, makeLog } from "../../src/services/log"
import { configOf } from "../repositories/database"
import type { FreshDatabase } from "../support/database"

export { waitFor } from "../support/wait"

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

export const run = <A>(effect: Effect.Effect<A>) => Effect.runPromise(effect)

/** Opens the app's own kind of connection (a separate Postgres.js pool per call on PostgreSQL). */
export const openDb = async (fresh: FreshDatabase): Promise<DbShape> => {
  const kysely: Kysely<Database> = await openDatabase(configOf(fresh))
  return makeDb(kysely, fresh.backend)
}

export interface LogLine {
  readonly level: string
  readonly msg: string
  readonly [field: string]: unknown
}

/** A Log that keeps its lines (parsed) for assertions. */
export const collectingLog = (): { log: LogShape; lines: LogLine[] } => {
  const lines: LogLine[] = []
  return { log: makeLog("debug", (line) => lines.push(JSON.parse(line) as LogLine)), lines }
}

export interface Run {
  readonly owner: string
  readonly job: string
  /** The run's scheduled time (the job's next_run_at when it was claimed), ms since the epoch. */
  readonly due: number
  /** When the handler started, ms since the epoch. */
  readonly at: number
}

/** A handler that appends (owner, scheduled second) for every run it makes. */
export const recorder = (owner: string, runs: Run[]): JobHandler => {
  return async (job) => {
    runs.push({ owner, job: job.name, due: job.next_run_at!.getTime(), at: Date.now() })
  }
}

/** A handler that runs until the scheduler aborts it (a stop that gave up waiting), then calls `onAbort`. */
export const untilAborted =
  (onAbort: () => void): JobHandler =>
  (_job, signal) =>
    new Promise<void>((resolve) => {
      signal.addEventListener("abort", () => {
        onAbort()
        resolve()
      })
    })

/** Gaps between consecutive scheduled seconds, in whole seconds (1 = no second missed). */
export const gapsOf = (runs: ReadonlyArray<Run>) =>
  runs.slice(1).map((r, i) => Math.round((r.due - runs[i]!.due) / 1000))

export const dueSeconds = (runs: ReadonlyArray<Run>) => runs.map((r) => r.due)
