import { type Kysely, type QueryCreator, sql } from "kysely"
import type { Database } from "../../db/schema"
import { profileParams, refreshProfile, releaseUsername } from "../auth/roles.repo"
import { progressColumns, reducedColumns, reducedParams } from "./inbox.repo"
import { countersParams, type LimitsColumns, limitsOf, saveCounters } from "./limits.repo"
import { jsonText, param, prepared } from "./prepared"
import type { Reduction } from "./reduction"
import { insertWorkOfMarked, type NewWork, type StartedWork, startedWorkOf, workParams } from "./work.repo"

type Db = Kysely<Database>

const sessionAndSenderStatement = prepared((db) =>
  db
    .selectFrom(sql<{ one: number }>`(select 1 as one)`.as("one"))
    .leftJoin("chat_sessions as s", (join) => join.on("s.chat_id", "=", param<number>(1)))
    .leftJoin("authorized_users as u", (join) => join.on("u.user_id", "=", param<number>(2)))
    .leftJoin("user_limits as g", (join) => join.on("g.user_id", "=", param<number>(2)))
    .select([
      "s.state",
      "s.version",
      "u.role",
      "u.created_at",
      "u.username as sender_username",
      "u.first_name as sender_first_name",
      "g.login_failures",
      "g.locked_until",
      "g.rate",
      "g.revoked",
    ]),
)

/** What a load reads, from `findSessionAndSender` or from the store that took the chat's lease. */
export type SessionAndSenderRow = LimitsColumns & {
  readonly state: unknown
  readonly version: number | null
  readonly role: "user" | "admin" | null
  readonly created_at: Date | null
  readonly sender_username: string | null
  readonly sender_first_name: string | null
}

/**
 * The chat's session with its version; the sender's role, first sign-in and stored name (absent for someone without
 * a role); the sender's counters (defaults for someone never seen).
 */
export const sessionAndSenderOf = (row: SessionAndSenderRow) => ({
  session: row.version === null ? undefined : { state: row.state, version: row.version },
  sender:
    row.role === null
      ? undefined
      : {
          role: row.role,
          since: row.created_at,
          username: row.sender_username,
          firstName: row.sender_first_name,
        },
  limits: limitsOf(row),
})

export type SessionAndSender = ReturnType<typeof sessionAndSenderOf>

/** What processing a row starts from, in one round trip. */
export const findSessionAndSender = async (db: Db, chatId: number, userId: number) => {
  const [row] = await sessionAndSenderStatement(db, [chatId, userId])
  if (!row) throw new Error("findSessionAndSender: no row from a one-row select")
  return sessionAndSenderOf(row)
}

type WithSaved = Database & { saved: { chat_id: number } }

/** The sender's counters and name, written by the same statement as the step; `n` is their first parameter. */
const withSenderWrites = (db: QueryCreator<WithSaved>, n: number, afterSave: boolean) =>
  db
    .with("counters", (q) => saveCounters(q, n, afterSave))
    .with("profile", (q) => refreshProfile(q, n + 4))
    .with("released", (q) => releaseUsername(q, n + 4))

// $1 chat, $2 state, $3 new version, $4 row, $5 commands, $6 scrubbed payload or null; updating, $7 the version read.
const markReducedIfSaved = (db: QueryCreator<WithSaved>) =>
  db
    .updateTable("update_inbox")
    .set(reducedColumns(5, 6))
    .where("id", "=", param<number>(4))
    .where(({ exists, selectFrom }) => exists(selectFrom("saved").select("saved.chat_id")))
    .returning("id")

// Then $7…$13 (first save) or $8…$14 (next save) the sender's writes.
const firstSaveStatement = prepared((db) =>
  markReducedIfSaved(
    withSenderWrites(
      db.with("saved", (q) =>
        q
          .insertInto("chat_sessions")
          .values({ chat_id: param(1), state: param<string>(2, "text::jsonb"), version: param(3) })
          .onConflict((oc) => oc.column("chat_id").doNothing())
          .returning("chat_id"),
      ),
      7,
      true,
    ),
  ),
)

// The session write of a chat that has one: $1 chat, $2 state, $3 new version, $7 the version read.
const nextSave = (q: QueryCreator<Database>) =>
  q
    .updateTable("chat_sessions")
    .set({ state: param<string>(2, "text::jsonb"), version: param(3), updated_at: sql<Date>`now()` })
    .where("chat_id", "=", param<number>(1))
    .where("version", "=", param<number>(7))
    .returning("chat_id")

const nextSaveStatement = prepared((db) =>
  markReducedIfSaved(withSenderWrites(db.with("saved", nextSave), 8, true)),
)

// The next save with the work it starts: $15 commands done, $16 last; $17… the work (workParams).
const nextSaveWithWorkStatement = prepared((db) =>
  insertWorkOfMarked(
    withSenderWrites(db.with("saved", nextSave), 8, true).with("marked", (q) =>
      markReducedIfSaved(q).set(progressColumns(15, 16)).returning("chat_id"),
    ),
    17,
  ),
)

// $1 row, $2 commands, $3 scrubbed payload or null, $4…$10 the sender's writes.
const markOnlyStatement = prepared((db) =>
  withSenderWrites(db, 4, false)
    .updateTable("update_inbox")
    .set(reducedColumns(2, 3))
    .where("id", "=", param<number>(1))
    .returning("id"),
)

/**
 * A step alone, in one statement (atomic, one round trip): the chat's next state (version-checked), the row's
 * commands, and the sender's counters and name when they changed. The row is marked, and the counters saved, only
 * when the version check passed. False on a lost race, so the caller re-reads and reduces again. Steps usually go
 * with others (saveReduction, step-writes.repo.ts).
 */
export const saveAlone = async (db: Db, r: Reduction): Promise<boolean> => {
  const sender = [...countersParams(r.counters), ...profileParams(r.profile)]
  const reduced = reducedParams(r.commands, r.redactPayload)
  if (r.state === undefined) return (await markOnlyStatement(db, [r.rowId, ...reduced, ...sender])).length > 0
  const params = [r.chatId, jsonText(r.state), r.expectedVersion + 1, r.rowId, ...reduced]
  const marked =
    r.expectedVersion === 0
      ? await firstSaveStatement(db, [...params, ...sender])
      : await nextSaveStatement(db, [...params, r.expectedVersion, ...sender])
  return marked.length > 0
}

/**
 * A step whose first command (after chat actions, which are never recorded) starts background work: the step as
 * `saveReduction` saves it, the row's progress up to and including that command, the work's row, and the user's AI
 * calls today, all in one statement (one commit, one round trip before the work starts). Only for a chat that has a
 * session and a step that changes it. Null on a lost race: no state, progress, work or counters are written (a
 * sender's new name is, as with saveReduction).
 */
export const saveReductionWithWork = async (
  db: Db,
  r: Reduction & { readonly state: unknown },
  progress: { readonly done: number; readonly last: boolean },
  work: NewWork,
): Promise<StartedWork | null> => {
  if (r.expectedVersion === 0) throw new Error("saveReductionWithWork: a chat without a session")
  const [row] = await nextSaveWithWorkStatement(db, [
    r.chatId,
    jsonText(r.state),
    r.expectedVersion + 1,
    r.rowId,
    ...reducedParams(r.commands, r.redactPayload),
    r.expectedVersion,
    ...countersParams(r.counters),
    ...profileParams(r.profile),
    progress.done,
    progress.last,
    ...workParams(work),
  ])
  return row ? startedWorkOf(row) : null
}

/** Chats in a role-play dialogue right now (the bot_active_dialogues gauge). */
export const countActiveDialogues = async (db: Kysely<Database>): Promise<number> => {
  const row = await db
    .selectFrom("chat_sessions")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where(sql<string>`state->'flow'->>'_tag'`, "=", "Case")
    .where(sql<string>`state->'flow'->'attempt'->>'phase'`, "=", "Dialogue")
    .executeTakeFirstOrThrow()
  return Number(row.n)
}
