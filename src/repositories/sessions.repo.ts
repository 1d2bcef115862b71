import { type Kysely, sql } from "kysely"
import type { Database } from "../../db/schema"
import { reducedValues } from "./inbox.repo"
import { jsonb } from "./jsonb"

type Db = Kysely<Database>

/**
 * What processing a row starts from, in one round trip: the chat's session with its version, and the sender's
 * role and first sign-in (both absent for a stranger).
 */
export const findSessionAndSender = async (db: Db, chatId: number, userId: number) => {
  const row = await db
    .selectFrom(sql<{ one: number }>`(select 1 as one)`.as("one"))
    .leftJoin("chat_sessions as s", (join) => join.on("s.chat_id", "=", chatId))
    .leftJoin("authorized_users as u", (join) => join.on("u.user_id", "=", userId))
    .select(["s.state", "s.version", "u.role", "u.created_at"])
    .executeTakeFirstOrThrow()
  return {
    session: row.version === null ? undefined : { state: row.state, version: row.version },
    sender: row.role === null ? undefined : { role: row.role, since: row.created_at },
  }
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

/**
 * The chat's next state and the row's commands in one statement (atomic, one round trip): the row is marked only
 * when the version check passed. Returns false on a lost race, so the caller re-reads and reduces again.
 */
export const saveReduction = async (db: Db, r: Reduction): Promise<boolean> => {
  const state = jsonb(r.state)
  const version = r.expectedVersion + 1
  const marked = await db
    .with("saved", (q) =>
      r.expectedVersion === 0
        ? q
            .insertInto("chat_sessions")
            .values({ chat_id: r.chatId, state, version })
            .onConflict((oc) => oc.column("chat_id").doNothing())
            .returning("chat_id")
        : q
            .updateTable("chat_sessions")
            .set({ state, version, updated_at: sql<Date>`now()` })
            .where("chat_id", "=", r.chatId)
            .where("version", "=", r.expectedVersion)
            .returning("chat_id"),
    )
    .updateTable("update_inbox")
    .set(reducedValues(r.commands, r.redactPayload))
    .where("id", "=", r.rowId)
    .where(({ exists, selectFrom }) => exists(selectFrom("saved").select("saved.chat_id")))
    .returning("id")
    .executeTakeFirst()
  return marked !== undefined
}
