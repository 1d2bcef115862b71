import { type Kysely, sql } from "kysely"
import type { Database } from "../../db/schema"
import { isoDayInZone } from "../core/dates"

type Db = Kysely<Database>

/** Activity days are kept this long: a year of /stats, then they go. */
const ACTIVITY_DAYS = 400

/**
 * Copies who wrote on which day (in `timeZone`) from the inbox into user_activity. Runs before the inbox is purged,
 * so every update is counted once it is stored; repeated runs add nothing twice.
 */
export const recordActivity = (db: Db, timeZone: string) =>
  sql`
    insert into user_activity (user_id, day)
    select distinct chat_id, (received_at at time zone ${timeZone})::date
    from update_inbox where kind = 'update' and chat_id > 0
    on conflict do nothing`.execute(db)

export const pruneActivity = (db: Db) =>
  db
    .deleteFrom("user_activity")
    .where("day", "<", sql<string>`current_date - ${ACTIVITY_DAYS}::int`)
    .execute()

/**
 * Users with a role active within the last `days` days (today included, in `timeZone`): the days recorded from the
 * inbox, whatever the inbox holds since the last copy, and their sign-in.
 */
export const activeUsers = async (
  db: Db,
  days: number,
  timeZone: string,
  now = new Date(),
): Promise<number> => {
  // A window of `days` days, today included.
  const since = isoDayInZone(now.getTime(), timeZone, -(days - 1))
  const { rows } = await sql<{ n: number }>`
    select count(*) as n from authorized_users u
    where u.last_seen_at >= (${since}::timestamp at time zone ${timeZone}) or u.user_id in (
      select a.user_id from user_activity a where a.day >= ${since}::date
      union
      select i.chat_id from update_inbox i
      where i.kind = 'update' and i.chat_id > 0 and i.received_at >= (${since}::timestamp at time zone ${timeZone})
    )`.execute(db)
  return Number(rows[0]?.n ?? 0)
}
