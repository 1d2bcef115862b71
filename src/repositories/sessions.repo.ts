import { type Kysely, type QueryCreator, sql } from "kysely"
import type { Database } from "../../db/schema"
import { reducedColumns, reducedParams } from "./inbox.repo"
import { jsonText, param, prepared } from "./prepared"

type Db = Kysely<Database>

const sessionAndSenderStatement = prepared((db) =>
  db
    .selectFrom(sql<{ one: number }>`(select 1 as one)`.as("one"))
    .leftJoin("chat_sessions as s", (join) => join.on("s.chat_id", "=", param<number>(1)))
    .leftJoin("authorized_users as u", (join) => join.on("u.user_id", "=", param<number>(2)))
    .select(["s.state", "s.version", "u.role", "u.created_at"]),
)

type SessionAndSenderRow = Awaited<ReturnType<typeof sessionAndSenderStatement>>[number]

/** The chat's session with its version, and the sender's role and first sign-in (both absent for a stranger). */
export const sessionAndSenderOf = (row: SessionAndSenderRow) => ({
  session: row.version === null ? undefined : { state: row.state, version: row.version },
  sender: row.role === null ? undefined : { role: row.role, since: row.created_at },
})

export type SessionAndSender = ReturnType<typeof sessionAndSenderOf>

/** What processing a row starts from, in one round trip. */
export const findSessionAndSender = async (db: Db, chatId: number, userId: number) => {
  const [row] = await sessionAndSenderStatement(db, [chatId, userId])
  if (!row) throw new Error("findSessionAndSender: no row from a one-row select")
  return sessionAndSenderOf(row)
}

export interface Reduction {
  readonly rowId: number
  readonly chatId: number
  readonly state: unknown
  /** The session version the state was computed from (0 = no session row yet). */
  readonly expectedVersion: number
  readonly commands: unknown
  readonly redactPayload?: unknown
}

type WithSaved = Database & { saved: { chat_id: number } }

// $1 chat, $2 state, $3 new version, $4 row, $5 commands, $6 scrubbed payload or null; updating, $7 the version read.
const markReducedIfSaved = (db: QueryCreator<WithSaved>) =>
  db
    .updateTable("update_inbox")
    .set(reducedColumns(5, 6))
    .where("id", "=", param<number>(4))
    .where(({ exists, selectFrom }) => exists(selectFrom("saved").select("saved.chat_id")))
    .returning("id")

const firstSaveStatement = prepared((db) =>
  markReducedIfSaved(
    db.with("saved", (q) =>
      q
        .insertInto("chat_sessions")
        .values({ chat_id: param(1), state: param<string>(2, "text::jsonb"), version: param(3) })
        .onConflict((oc) => oc.column("chat_id").doNothing())
        .returning("chat_id"),
    ),
  ),
)

const nextSaveStatement = prepared((db) =>
  markReducedIfSaved(
    db.with("saved", (q) =>
      q
        .updateTable("chat_sessions")
        .set({ state: param<string>(2, "text::jsonb"), version: param(3), updated_at: sql<Date>`now()` })
        .where("chat_id", "=", param<number>(1))
        .where("version", "=", param<number>(7))
        .returning("chat_id"),
    ),
  ),
)

/**
 * The chat's next state and the row's commands in one statement (atomic, one round trip): the row is marked only
 * when the version check passed. Returns false on a lost race, so the caller re-reads and reduces again.
 */
export const saveReduction = async (db: Db, r: Reduction): Promise<boolean> => {
  const params = [
    r.chatId,
    jsonText(r.state),
    r.expectedVersion + 1,
    r.rowId,
    ...reducedParams(r.commands, r.redactPayload),
  ]
  const marked =
    r.expectedVersion === 0
      ? await firstSaveStatement(db, params)
      : await nextSaveStatement(db, [...params, r.expectedVersion])
  return marked.length > 0
}
