import { type Kysely, type QueryCreator, type RawBuilder, sql } from "kysely"
import type { BackgroundWorkRow, Database } from "../../db/schema"
import { aiCallsTodayOf } from "./ai.repo"
import { type CommandDone, progressColumns } from "./inbox.repo"
import { jsonText, param, prepared } from "./prepared"

type Db = Kysely<Database>

export interface NewWork {
  readonly userId: number
  readonly command: unknown
  readonly origin: unknown
  readonly owner: string
  readonly leaseSeconds: number
  /** How long one issue may take before another instance issues it again. */
  readonly deadlineSeconds: number
  /** The time zone whose midnight starts the user's AI day (the daily budget read back with the work's id). */
  readonly dayZone: string
}

export interface StartedWork {
  readonly id: number
  /** The user's upstream AI calls today, read in the same statement: the budget check costs no round trip. */
  readonly aiCallsToday: number
}

const secondsFromNow = (secs: number | RawBuilder<number>) =>
  sql<Date>`now() + make_interval(secs => ${secs})`

type WithMarked = Database & { marked: { id: number; chat_id: number } }

/**
 * The work of the row the statement's `marked` step recorded (nothing when it recorded none), with the user's AI
 * calls today read back. Parameters `n`…`n+6`, in `workParams`' order.
 */
export const insertWorkOfMarked = (db: QueryCreator<WithMarked>, n: number) =>
  db
    .insertInto("background_work")
    .columns([
      "chat_id",
      "user_id",
      "command",
      "origin",
      "owner",
      "expires_at",
      "deadline_seconds",
      "deadline_at",
    ])
    .expression((eb) =>
      eb
        .selectFrom("marked")
        .select([
          "marked.chat_id",
          param<number>(n, "bigint").as("user_id"),
          param<string>(n + 1, "text::jsonb").as("command"),
          param<string>(n + 2, "text::jsonb").as("origin"),
          param<string>(n + 3, "text").as("owner"),
          secondsFromNow(param(n + 4, "float8")).as("expires_at"),
          param<number>(n + 5, "float8").as("deadline_seconds"),
          secondsFromNow(param(n + 5, "float8")).as("deadline_at"),
        ]),
    )
    .returning(["id", aiCallsTodayOf(n, n + 6).as("ai_calls_today")])

/** The parameters of `insertWorkOfMarked`, in its order. */
export const workParams = (w: NewWork) => [
  w.userId,
  jsonText(w.command),
  jsonText(w.origin),
  w.owner,
  w.leaseSeconds,
  w.deadlineSeconds,
  w.dayZone,
]

export const startedWorkOf = (row: { id: number; ai_calls_today: number | null }): StartedWork => ({
  id: row.id,
  aiCallsToday: row.ai_calls_today ?? 0,
})

// $1 row id, $2 commands done, $3 last; $4… the work (workParams).
const startWorkStatement = prepared((db) =>
  insertWorkOfMarked(
    db.with("marked", (q) =>
      q
        .updateTable("update_inbox")
        .set(progressColumns(2, 3))
        .where("id", "=", param<number>(1))
        .returning(["id", "chat_id"]),
    ),
    4,
  ),
)

/**
 * Records a command's progress and the work it asked for in one statement, so a crash leaves either both (the work
 * is issued again by the next instance) or neither (the command runs again on resume). Returns the work's id and the
 * user's AI calls today.
 */
export const markCommandDoneWithWork = async (
  db: Db,
  done: CommandDone,
  work: NewWork,
): Promise<StartedWork> => {
  const [row] = await startWorkStatement(db, [done.id, done.done, done.last, ...workParams(work)])
  if (!row) throw new Error(`markCommandDoneWithWork: no inbox row ${done.id}`)
  return startedWorkOf(row)
}

/** Keeps the running work of this instance its own: called by the heartbeat with the ids still running. */
export const renewWork = (db: Db, owner: string, ids: ReadonlyArray<number>, leaseSeconds: number) =>
  db
    .updateTable("background_work")
    .set({ expires_at: secondsFromNow(leaseSeconds) })
    .where("owner", "=", owner)
    .where("id", "in", ids)
    .execute()

/** Gives this instance's unfinished work back at once (shutdown): the next sweep, here or elsewhere, issues it. */
export const releaseWork = (db: Db, owner: string) =>
  db
    .updateTable("background_work")
    .set({ owner: null, expires_at: sql<Date>`now()` })
    .where("owner", "=", owner)
    .execute()

/**
 * Takes over work nobody is doing: its owner stopped renewing it or it is past its deadline (with `everything`,
 * all work of other owners: an embedded database has no other live instance). Each claim counts as one more issue.
 */
export const claimOrphanedWork = async (
  db: Db,
  owner: string,
  leaseSeconds: number,
  limit: number,
  everything = false,
): Promise<BackgroundWorkRow[]> =>
  db
    .updateTable("background_work")
    .set((eb) => ({
      owner,
      expires_at: secondsFromNow(leaseSeconds),
      deadline_at: sql<Date>`now() + make_interval(secs => deadline_seconds)`,
      issues: eb("issues", "+", 1),
    }))
    .where("id", "in", (eb) =>
      eb
        .selectFrom("background_work")
        .select("id")
        .where(({ or, eb }) =>
          or([
            eb("expires_at", "<=", sql<Date>`now()`),
            eb("deadline_at", "<", sql<Date>`now()`),
            ...(everything ? [eb("owner", "is distinct from", owner)] : []),
          ]),
        )
        .orderBy("id")
        .limit(limit)
        .forUpdate()
        .skipLocked(),
    )
    .returningAll()
    .execute()
