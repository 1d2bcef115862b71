import { type Kysely, sql } from "kysely"
import type { Database } from "../../db/schema"
import type { SheetRows, SheetsData } from "./sheet-rows"
import { buildSummary } from "./summary.repo"

export const SHEET_TITLES = [
  "Summary",
  "UsersByRole",
  "RatingsByQuestion",
  "CaseStatistics",
  "TableStats",
  "Комментарии",
  "Attempts",
] as const

/** Business tables whose row counts the TableStats sheet shows. */
export const BUSINESS_TABLES = [
  "authorized_users",
  "bot_ratings",
  "rating_comments",
  "rating_invites",
  "case_stats",
  "case_attempts",
  "ai_calls",
] as const

type Db = Kysely<Database>

/** `2025-03-01 09:05:00 UTC`. */
export const utcStamp = (at: Date): string => `${at.toISOString().slice(0, 19).replace("T", " ")} UTC`

export const num = (v: unknown): number => Number(v ?? 0)

const usersByRole = (db: Db) =>
  db
    .selectFrom("authorized_users")
    .select(["role", (eb) => eb.fn.countAll<number>().as("n")])
    .groupBy("role")
    .orderBy("role")
    .execute()

const ratings = async (db: Db): Promise<SheetRows> => {
  const rows = await db
    .selectFrom("bot_ratings")
    .select((eb) => [
      "question",
      eb.fn.countAll<number>().as("total"),
      sql<string>`round(avg(rating)::numeric, 2)`.as("avg"),
      eb.fn.min("rating").as("min"),
      eb.fn.max("rating").as("max"),
    ])
    .groupBy("question")
    .orderBy("question")
    .execute()
  return rows.map((r) => [r.question, num(r.total), num(r.avg), num(r.min), num(r.max)])
}

const caseStats = async (db: Db): Promise<SheetRows> => {
  const rows = await db
    .selectFrom("case_stats")
    .select((eb) => [
      "case_id",
      "stat",
      eb.fn.countAll<number>().as("users"),
      eb.fn.sum<number>("cnt").as("total"),
    ])
    .groupBy(["case_id", "stat"])
    .orderBy("case_id")
    .orderBy("stat")
    .execute()
  return rows.map((r) => [r.case_id, r.stat, num(r.users), num(r.total)])
}

const tableStats = async (db: Db): Promise<SheetRows> => {
  const { rows } = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = current_schema()`.execute(db)
  const present = new Set(rows.map((r) => r.name))
  const out: SheetRows = []
  for (const table of BUSINESS_TABLES) {
    if (!present.has(table)) {
      out.push([table, "Нет", 0])
      continue
    }
    const { rows: counted } = await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(
      db,
    )
    out.push([table, "Да", num(counted[0]?.n)])
  }
  return out
}

const comments = async (db: Db): Promise<SheetRows> => {
  const rows = await db
    .selectFrom("rating_comments")
    .select(["user_id", "comment", "created_at"])
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .execute()
  return rows.map((r) => [num(r.user_id), r.comment, utcStamp(new Date(r.created_at))])
}

const attempts = async (db: Db): Promise<SheetRows> => {
  const rows = await db.selectFrom("case_attempts").selectAll().orderBy("id").execute()
  return rows.map((r) => [
    num(r.id),
    num(r.user_id),
    r.case_id,
    r.attempt_no,
    utcStamp(new Date(r.started_at)),
    utcStamp(new Date(r.ended_at)),
    r.outcome,
    r.turns,
    r.score,
    [r.dialogue_model, r.review_model].map((m) => m ?? "—").join(" / "),
  ])
}

/** Reads everything the export shows; `now` fixes the generated-at stamp and the activity windows. */
export const buildSheetsData = async (db: Db, now: Date = new Date()): Promise<SheetsData> => {
  const roles: SheetRows = (await usersByRole(db)).map((r) => [r.role, num(r.n)])
  const summary = await buildSummary(db, now, roles)
  return {
    Summary: summary,
    UsersByRole: [["Роль", "Количество"], ...roles],
    RatingsByQuestion: [["Вопрос", "Всего ответов", "Средняя оценка", "Мин", "Макс"], ...(await ratings(db))],
    CaseStatistics: [
      ["Кейс", "Тип статистики", "Уникальных пользователей", "Всего случаев"],
      ...(await caseStats(db)),
    ],
    TableStats: [["Таблица", "Есть", "Количество записей"], ...(await tableStats(db))],
    Комментарии: [["Пользователь", "Комментарий", "Дата/время"], ...(await comments(db))],
    Attempts: [
      ["ID", "Пользователь", "Кейс", "Попытка №", "Начало", "Конец", "Итог", "Ходов", "Баллы", "Модели"],
      ...(await attempts(db)),
    ],
  }
}
