import { type Kysely, sql } from "kysely"
import type { Database } from "../../db/schema"
import { activeUsers } from "../admin/activity.repo"
import { formatInZone, zoneLabel } from "../core/dates"
import type { SheetRows } from "./sheet-rows"

type Db = Kysely<Database>
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

const activity = async (db: Db, timeZone: string, now: Date): Promise<SheetRows> => {
  const { rows } = await sql<{ rated: number; cases: number }>`
    select
      (select count(distinct r.user_id) from bot_ratings r) as rated,
      (select count(*) from (
        select s.user_id from case_stats s union select a.user_id from case_attempts a
      ) c) as cases`.execute(db)
  return [
    ["Активны за 7 дней", await activeUsers(db, 7, timeZone, now)],
    ["Активны за 30 дней", await activeUsers(db, 30, timeZone, now)],
    ["С оценками бота", num(rows[0]?.rated)],
    ["С активностью в кейсах", num(rows[0]?.cases)],
  ]
}

/**
 * The Summary tab: generated-at, database size, users by role and the activity block. The original's activity
 * query never ran (an ambiguous `user_id` over a three-table join); here every count is its own subquery.
 */
export const buildSummary = async (
  db: Db,
  now: Date,
  roles: SheetRows,
  timeZone: string,
): Promise<SheetRows> => [
  [`Сгенерировано (${zoneLabel(timeZone)})`, formatInZone(now.getTime(), timeZone)],
  ["Размер БД", await dbSize(db)],
  [],
  ["Пользователи по ролям:"],
  ["Роль", "Количество"],
  ...roles,
  [],
  ["Активность пользователей:"],
  ...(await activity(db, timeZone, now)),
]
