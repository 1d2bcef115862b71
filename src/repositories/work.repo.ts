import { type Kysely, sql } from "kysely"
import type { BackgroundWorkRow, Database } from "../../db/schema"
import type { CommandDone } from "./inbox.repo"

type Db = Kysely<Database>

export interface NewWork {
  readonly chatId: number
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

const seconds = (n: number) => sql<Date>`now() + make_interval(secs => ${n})`
const json = (value: unknown) => sql<string>`${JSON.stringify(value)}::text::jsonb`

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
  const row = await db
    .with("marked", (q) =>
      q
        .updateTable("update_inbox")
        .set({
          commands_done: done.done,
          processed_at: done.last ? sql<Date>`now()` : null,
        })
        .where("id", "=", done.id)
        .returning("id"),
    )
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
          sql.val(work.chatId).as("chat_id"),
          sql.val(work.userId).as("user_id"),
          json(work.command).as("command"),
          json(work.origin).as("origin"),
          sql.val(work.owner).as("owner"),
          seconds(work.leaseSeconds).as("expires_at"),
          sql.val(work.deadlineSeconds).as("deadline_seconds"),
          seconds(work.deadlineSeconds).as("deadline_at"),
        ]),
    )
    .returning((eb) => [
      "id",
      eb
        .selectFrom("user_limits")
        .select("ai_calls")
        .where("user_id", "=", work.userId)
        .where("ai_day", "=", sql<string>`(now() at time zone ${work.dayZone})::date`)
        .as("ai_calls_today"),
    ])
    .executeTakeFirstOrThrow()
  return { id: row.id, aiCallsToday: row.ai_calls_today ?? 0 }
}

/** Keeps the running work of this instance its own: called by the heartbeat with the ids still running. */
export const renewWork = (db: Db, owner: string, ids: ReadonlyArray<number>, leaseSeconds: number) =>
  db
    .updateTable("background_work")
    .set({ expires_at: seconds(leaseSeconds) })
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
      expires_at: seconds(leaseSeconds),
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
