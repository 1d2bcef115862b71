import { Redacted } from "effect"
import { type Kysely, sql } from "kysely"
import { migrations } from "../../db/migrations/index"
import type { Database } from "../../db/schema"
import type { Database as DatabaseConfig } from "../config/config"
import { openDatabase } from "../services/db"
import { describeError } from "../services/log"
import { loadOpsConfig } from "./ops-config"

// Every table of db/schema.ts; the type below fails to compile when the schema gains one not listed here.
const TABLES = [
  "authorized_users",
  "case_stats",
  "bot_ratings",
  "rating_comments",
  "rating_invites",
  "chat_sessions",
  "broadcasts",
  "broadcast_recipients",
  "update_inbox",
  "chat_leases",
  "case_attempts",
  "telegram_files",
  "ai_calls",
  "voice_transcripts",
  "scheduled_jobs",
  "background_work",
  "user_limits",
] as const satisfies ReadonlyArray<keyof Database>
type Unlisted = Exclude<keyof Database, (typeof TABLES)[number]>
const allListed: [Unlisted] extends [never] ? true : Unlisted = true
void allListed

// A Telegram user id can never be negative, so the probe row cannot collide with a real user.
const PROBE_USER_ID = -999_999_999

let failures = 0
const ok = (text: string) => console.log(`✅ ${text}`)
const fail = (text: string) => {
  failures += 1
  console.log(`❌ ${text}`)
}
const reason = (error: unknown) => describeError(error).errorMessage
const rowsWord = (n: number) => {
  const [d10, d100] = [n % 10, n % 100]
  if (d10 === 1 && d100 !== 11) return "строка"
  return d10 >= 2 && d10 <= 4 && (d100 < 12 || d100 > 14) ? "строки" : "строк"
}

const where = (database: DatabaseConfig): string => {
  if (database.kind === "pglite") return `PGlite, папка ${database.dataDir}`
  const url = new URL(Redacted.value(database.url))
  return `PostgreSQL ${url.hostname}:${url.port || 5432}${url.pathname}`
}

const exists = async (db: Kysely<Database>, table: string) => {
  const { rows } = await sql<{
    found: string | null
  }>`select to_regclass(${`public.${table}`})::text as found`.execute(db)
  return rows[0]?.found != null
}

const checkMigrations = async (db: Kysely<Database>) => {
  const known = Object.keys(migrations)
  const applied = (await exists(db, "kysely_migration"))
    ? (await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db)).rows.map(
        (r) => r.name,
      )
    : []
  const pending = known.filter((name) => !applied.includes(name))
  const unknown = applied.filter((name) => !known.includes(name))
  if (pending.length === 0) ok(`Миграции применены: ${applied.length} из ${known.length}`)
  else fail(`Не применены миграции: ${pending.join(", ")} (запустите bun run db:migrate)`)
  if (unknown.length > 0)
    console.log(`⚠️ В базе есть миграции, которых нет в этом коде: ${unknown.join(", ")}`)
}

const checkTables = async (db: Kysely<Database>) => {
  for (const table of TABLES) {
    if (!(await exists(db, table))) {
      fail(`Таблица ${table}: отсутствует`)
      continue
    }
    const { rows } = await sql<{ n: string | number }>`select count(*) as n from ${sql.table(table)}`.execute(
      db,
    )
    const count = Number(rows[0]?.n ?? 0)
    ok(`Таблица ${table}: ${count} ${rowsWord(count)}`)
  }
}

class Rollback extends Error {}

const checkWrite = async (db: Kysely<Database>) => {
  try {
    await db.transaction().execute(async (trx) => {
      await trx.insertInto("authorized_users").values({ user_id: PROBE_USER_ID, role: "user" }).execute()
      const row = await trx
        .selectFrom("authorized_users")
        .select("user_id")
        .where("user_id", "=", PROBE_USER_ID)
        .executeTakeFirst()
      if (!row) throw new Error("вставленная строка не читается")
      throw new Rollback()
    })
  } catch (error) {
    if (!(error instanceof Rollback)) return fail(`Тестовая запись в authorized_users: ${reason(error)}`)
  }
  const left = await db
    .selectFrom("authorized_users")
    .select("user_id")
    .where("user_id", "=", PROBE_USER_ID)
    .executeTakeFirst()
  if (left) fail("Тестовая запись в authorized_users не откатилась")
  else ok("Тестовая запись в authorized_users: вставка и откат работают")
}

const config = loadOpsConfig()
const { database } = config
console.log(`Проверка базы данных (${where(database)})\n`)
const db = await openDatabase(database)
try {
  const version = await sql<{ version: string }>`select version() as version`.execute(db).then(
    ({ rows }) => rows[0]?.version.split(" on ")[0] ?? "неизвестна",
    (error: unknown) => void fail(`Нет подключения к базе: ${reason(error)}`),
  )
  if (version !== undefined) {
    ok("Подключение установлено")
    ok(`Версия сервера: ${version}`)
    await checkMigrations(db)
    await checkTables(db)
    if (await exists(db, "authorized_users")) await checkWrite(db)
  }
} catch (error) {
  fail(`Ошибка проверки: ${reason(error)}`)
} finally {
  await db.destroy().catch(() => {})
}
console.log(failures === 0 ? "\nИтог: база в порядке." : `\nИтог: найдено проблем — ${failures}.`)
process.exit(failures === 0 ? 0 : 1)
