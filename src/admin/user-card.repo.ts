import { type Kysely, sql } from "kysely"
import type { Database } from "../../db/schema"
import type { LastActive, UserCard } from "../core/views"
import { findAttemptSummaries } from "../nav/history.repo"
import { findRatings } from "../survey/ratings.repo"

type Db = Kysely<Database>

/** The latest stored update of the user (while the inbox keeps it) and the latest recorded activity day. */
export const lastActiveOf = async (db: Db, userId: number): Promise<LastActive> => {
  const { rows } = await sql<{ at: Date | null; day: string | null }>`
    select
      (select max(received_at) from update_inbox where chat_id = ${userId} and kind = 'update') as at,
      (select max(day)::text from user_activity where user_id = ${userId}) as day`.execute(db)
  const row = rows[0]
  return { at: row?.at ? new Date(row.at).getTime() : null, day: row?.day ?? null }
}

/** Everything an admin's card of the user shows; null for someone the bot knows nothing about. */
export const findUserCard = async (db: Db, userId: number): Promise<UserCard | null> => {
  const [user, limits, lastActive, attempts, answers] = await Promise.all([
    db.selectFrom("authorized_users").selectAll().where("user_id", "=", userId).executeTakeFirst(),
    db.selectFrom("user_limits").select("revoked").where("user_id", "=", userId).executeTakeFirst(),
    lastActiveOf(db, userId),
    findAttemptSummaries(db, userId),
    findRatings(db, userId),
  ])
  if (!user && !limits && attempts.length === 0 && lastActive.at === null && lastActive.day === null)
    return null
  return {
    userId,
    firstName: user?.first_name || null,
    username: user?.username ?? null,
    role: user?.role ?? null,
    revoked: limits?.revoked ?? false,
    since: user ? user.created_at.getTime() : null,
    lastActive,
    attempts,
    answers,
  }
}
