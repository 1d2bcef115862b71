import { type Kysely, sql } from "kysely"
import type { Database } from "../../db/schema"
import { adminTexts } from "../admin/texts"
import { levelLabels } from "../cases/kernel/texts"
import { findCase } from "../cases/registry"
import { DEFAULT_TIME_ZONE, formatInZone, zoneLabel } from "../core/dates"
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
  "Steps",
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

/** «01.03.2025 12:05» in the configured zone (the zone is named in the column's header). */
export const stamp = (at: Date, timeZone: string): string => formatInZone(at.getTime(), timeZone)

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

const comments = async (db: Db, timeZone: string): Promise<SheetRows> => {
  const rows = await db
    .selectFrom("rating_comments as c")
    .leftJoin("authorized_users as u", "u.user_id", "c.user_id")
    .select(["c.user_id", "u.first_name", "c.comment", "c.created_at"])
    .orderBy("c.created_at", "desc")
    .orderBy("c.id", "desc")
    .execute()
  return rows.map((r) => [
    num(r.user_id),
    r.first_name ?? "",
    r.comment,
    stamp(new Date(r.created_at), timeZone),
  ])
}

const attemptRows = (db: Db) =>
  db
    .selectFrom("case_attempts as a")
    .leftJoin("authorized_users as u", "u.user_id", "a.user_id")
    .select([
      "a.id",
      "a.user_id",
      "u.first_name",
      "a.case_id",
      "a.attempt_no",
      "a.started_at",
      "a.ended_at",
      "a.outcome",
      "a.turns",
      "a.score",
      "a.covered",
      "a.disputed",
      "a.level",
      "a.hints",
      "a.dialogue_model",
      "a.review_model",
    ])
    .orderBy("a.id")
    .execute()

type AttemptRow = Awaited<ReturnType<typeof attemptRows>>[number]

const attempts = (rows: ReadonlyArray<AttemptRow>, timeZone: string): SheetRows =>
  rows.map((r) => [
    num(r.id),
    num(r.user_id),
    r.first_name ?? "",
    r.case_id,
    r.attempt_no,
    stamp(new Date(r.started_at), timeZone),
    stamp(new Date(r.ended_at), timeZone),
    adminTexts.outcomes[r.outcome] ?? r.outcome,
    r.turns,
    r.score,
    findCase(r.case_id)?.methodology.components.length ?? r.covered.length,
    levelLabels[r.level],
    r.hints,
    [r.dialogue_model, r.review_model].map((m) => m ?? "—").join(" / "),
  ])

/** One row per attempt and step of its case: shown, not shown, or «спорно» (the samples split). */
const steps = (rows: ReadonlyArray<AttemptRow>): SheetRows =>
  rows.flatMap((r) =>
    (findCase(r.case_id)?.methodology.components ?? []).map((c) => [
      num(r.id),
      num(r.user_id),
      r.case_id,
      c.label,
      r.covered.includes(c.key) ? "да" : r.disputed.includes(c.key) ? "спорно" : "нет",
    ]),
  )

/**
 * Reads everything the export shows (the Google sheet, CSV and XLSX alike); `now` fixes the generated-at stamp;
 * every date is in `timeZone`, named in the headers.
 */
export const buildSheetsData = async (
  db: Db,
  now: Date = new Date(),
  timeZone: string = DEFAULT_TIME_ZONE,
): Promise<SheetsData> => {
  const roles: SheetRows = (await usersByRole(db)).map((r) => [r.role, num(r.n)])
  const summary = await buildSummary(db, now, roles, timeZone)
  const zone = zoneLabel(timeZone)
  const rows = await attemptRows(db)
  return {
    Summary: summary,
    UsersByRole: [["Роль", "Количество"], ...roles],
    RatingsByQuestion: [["Вопрос", "Всего ответов", "Средняя оценка", "Мин", "Макс"], ...(await ratings(db))],
    CaseStatistics: [
      ["Кейс", "Тип статистики", "Уникальных пользователей", "Всего случаев"],
      ...(await caseStats(db)),
    ],
    TableStats: [["Таблица", "Есть", "Количество записей"], ...(await tableStats(db))],
    Комментарии: [
      ["Пользователь", "Имя", "Комментарий", `Дата/время (${zone})`],
      ...(await comments(db, timeZone)),
    ],
    Attempts: [
      [
        "ID",
        "Пользователь",
        "Имя",
        "Кейс",
        "Попытка №",
        `Начало (${zone})`,
        `Конец (${zone})`,
        "Итог",
        "Ходов",
        "Баллы",
        "Шагов в кейсе",
        "Собеседник",
        "Подсказок",
        "Модели",
      ],
      ...attempts(rows, timeZone),
    ],
    Steps: [["ID попытки", "Пользователь", "Кейс", "Шаг", "Прозвучал"], ...steps(rows)],
  }
}
