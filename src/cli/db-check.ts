import { Redacted } from "effect"
import type { Kysely } from "kysely"
import { migrations } from "../../db/migrations/index"
import type { Database } from "../../db/schema"
import type { Database as DatabaseConfig } from "../config/config"
import { describeError } from "../services/log"
import {
  appliedMigrations,
  countRows,
  exists,
  findProbe,
  serverVersion,
  writeAndRollBack,
} from "./db-check.repo"
import { loadOpsConfig, openOpsDatabase } from "./ops-config"

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
  "review_verdicts",
  "user_activity",
  "user_settings",
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

const checkMigrations = async (db: Kysely<Database>) => {
  const known = Object.keys(migrations)
  const applied = (await exists(db, "kysely_migration")) ? await appliedMigrations(db) : []
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
    const count = await countRows(db, table)
    ok(`Таблица ${table}: ${count} ${rowsWord(count)}`)
  }
}

class Rollback extends Error {}

const checkWrite = async (db: Kysely<Database>) => {
  try {
    await writeAndRollBack(db, PROBE_USER_ID, Rollback)
  } catch (error) {
    if (!(error instanceof Rollback)) return fail(`Тестовая запись в authorized_users: ${reason(error)}`)
  }
  const left = await findProbe(db, PROBE_USER_ID)
  if (left) fail("Тестовая запись в authorized_users не откатилась")
  else ok("Тестовая запись в authorized_users: вставка и откат работают")
}

const config = loadOpsConfig()
const { database } = config
console.log(`Проверка базы данных (${where(database)})\n`)
const db = await openOpsDatabase(config, false)
try {
  const version = await serverVersion(db).then(
    (version) => version?.split(" on ")[0] ?? "неизвестна",
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
