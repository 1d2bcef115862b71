import { type Kysely, sql } from "kysely"
import type { Database } from "../../db/schema"
import type { SheetRows } from "./sheet-rows"

type Db = Kysely<Database>
const DAY_MS = 86_400_000
const num = (v: unknown): number => Number(v ?? 0)

const dbSize = async (db: Db): Promise<string> => {
  try {
    const { rows } = await sql<{ size: string }>`
      select pg_size_pretty(pg_database_size(current_database())) as size`.execute(db)
    return rows[0]?.size ?? "—"
  } catch {
    return "—"
  }
}

/** Distinct users seen since `since`: private chats in the inbox (chat id = user id) or `last_seen_at`. */
const activeSince = async (db: Db, since: Date): Promise<number> => {
  const { rows } = await sql<{ n: number }>`
    select count(*) as n from (
      select i.chat_id as uid from update_inbox i
        where i.kind = 'update' and i.chat_id > 0 and i.received_at >= ${since}
      union
      select u.user_id as uid from authorized_users u where u.last_seen_at >= ${since}
    ) active`.execute(db)
  return num(rows[0]?.n)
}

const activity = async (db: Db, now: Date): Promise<SheetRows> => {
  const { rows } = await sql<{ rated: number; cases: number }>`
    select
      (select count(distinct r.user_id) from bot_ratings r) as rated,
      (select count(*) from (
        select s.user_id from case_stats s union select a.user_id from case_attempts a
      ) c) as cases`.execute(db)
  return [
    ["Активны за 7 дней", await activeSince(db, new Date(now.getTime() - 7 * DAY_MS))],
    ["Активны за 30 дней", await activeSince(db, new Date(now.getTime() - 30 * DAY_MS))],
    ["С оценками бота", num(rows[0]?.rated)],
    ["С активностью в кейсах", num(rows[0]?.cases)],
  ]
}

/**
 * The Summary tab: generated-at, database size, users by role and the activity block. The original's activity
 * query never ran (an ambiguous `user_id` over a three-table join); here every count is its own subquery.
 */
export const buildSummary = async (db: Db, now: Date, roles: SheetRows): Promise<SheetRows> => [
  ["Сгенерировано (UTC)", now.toISOString()],
  ["Размер БД", await dbSize(db)],
  [],
  ["Пользователи по ролям:"],
  ["Роль", "Количество"],
  ...roles,
  [],
  ["Активность пользователей:"],
  ...(await activity(db, now)),
]
