import { type Kysely, sql } from "kysely"
import type { Database } from "../../db/schema"
import type { UserSummary } from "../app/model"
import { forgetInbox } from "../repositories/privacy.repo"

type Db = Kysely<Database>

/** Users with a role, most recently active first; `query` matches id, name or @username. */
export const findUsers = async (db: Db, query: string, limit = 50): Promise<UserSummary[]> => {
  const q = query.trim().replace(/^@/, "")
  const last = db
    .selectFrom("update_inbox")
    .select(["chat_id", sql<Date>`max(received_at)`.as("last_seen")])
    .groupBy("chat_id")
    .as("activity")
  let rows = db
    .selectFrom("authorized_users as u")
    .leftJoin(last, "activity.chat_id", "u.user_id")
    .select(["u.user_id", "u.first_name", "u.username", "u.role", "activity.last_seen"])
  if (q !== "")
    rows = rows.where(({ or, eb }) =>
      or([
        eb(sql`u.user_id::text`, "=", q),
        eb("u.username", "ilike", `%${q}%`),
        eb("u.first_name", "ilike", `%${q}%`),
      ]),
    )
  const found = await rows.orderBy(sql`activity.last_seen desc nulls last`).limit(limit).execute()
  return found.map((r) => ({
    userId: r.user_id,
    firstName: r.first_name ?? "—",
    username: r.username,
    role: r.role,
    lastSeen: r.last_seen ? new Date(r.last_seen).toISOString() : null,
  }))
}

/** Resolves `123456` or `@username` to a user id among users the bot knows. */
export const resolveUser = async (db: Db, target: string): Promise<number | null> => {
  if (/^\d+$/.test(target)) return Number(target)
  const row = await db
    .selectFrom("authorized_users")
    .select("user_id")
    .where(sql<string>`lower(username)`, "=", target.replace(/^@/, "").toLowerCase())
    .executeTakeFirst()
  return row?.user_id ?? null
}

/**
 * Everything kept about one user, gone: attempts, stats, ratings, comments, invites, role, voice transcripts, the
 * chat session and every stored copy of their messages (see `forgetInbox`). Usage rows stay as anonymous counts.
 */
export const forgetUser = (db: Db, userId: number) =>
  db.transaction().execute(async (trx) => {
    // AI work in flight holds the dialogue too. First: its result is then never stored (settling needs the row),
    // and a transcript being saved by it lands before the transcripts below are deleted (see saveTranscript).
    await trx.deleteFrom("background_work").where("user_id", "=", userId).execute()
    await trx.deleteFrom("case_attempts").where("user_id", "=", userId).execute()
    await trx.deleteFrom("case_stats").where("user_id", "=", userId).execute()
    await trx.deleteFrom("bot_ratings").where("user_id", "=", userId).execute()
    await trx.deleteFrom("rating_comments").where("user_id", "=", userId).execute()
    await trx.deleteFrom("rating_invites").where("user_id", "=", userId).execute()
    await trx.deleteFrom("authorized_users").where("user_id", "=", userId).execute()
    await trx.updateTable("ai_calls").set({ user_id: null }).where("user_id", "=", userId).execute()
    // Also takes them off broadcasts still being delivered.
    await trx.deleteFrom("broadcast_recipients").where("user_id", "=", userId).execute()
    await trx.deleteFrom("voice_transcripts").where("user_id", "=", userId).execute()
    await trx.deleteFrom("chat_sessions").where("chat_id", "=", userId).execute()
    await forgetInbox(trx, userId)
  })
