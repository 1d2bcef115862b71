import { parseArgs } from "node:util"
import type { Kysely, RawBuilder } from "kysely"
import type { Database } from "../../db/schema"
import { formatInZone, zoneLabel } from "../core/dates"
import { describeError } from "../services/log"
import { loadOpsConfig, openOpsDatabase } from "./ops-config"
import { deleteRows, roleOf, userQueries } from "./user-reset.repo"

type Db = Kysely<Database>

const USAGE = `Сброс прогресса пользователя (роль сохраняется):
  bun run user:reset <telegram id> [--with-ratings]   счётчики, приглашение к опросу, попытки и сессию чата
  bun run user:reset --show <telegram id>             показать, что хранится о пользователе
  bun run user:reset --all --yes [--with-ratings]     сбросить всех
--with-ratings удаляет также ответы на опрос и комментарии.`

// Table → the column holding the user's id. A private chat's id equals the user's id.
const PROGRESS = {
  case_stats: "user_id",
  rating_invites: "user_id",
  case_attempts: "user_id",
  chat_sessions: "chat_id",
}
const RATINGS = { bot_ratings: "user_id", rating_comments: "user_id" }

const fail = (message: string): never => {
  console.error(message)
  process.exit(1)
}

const parseId = (raw: string | undefined): number => {
  const id = Number(raw)
  if (!raw || !/^\d{1,16}$/.test(raw) || !Number.isSafeInteger(id) || id <= 0)
    return fail(`Неверный Telegram id: «${raw ?? ""}»\n\n${USAGE}`)
  return id
}

const args = (() => {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        show: { type: "string" },
        all: { type: "boolean" },
        yes: { type: "boolean" },
        "with-ratings": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    })
  } catch (error) {
    return fail(`Не понял аргументы (${describeError(error).errorMessage}).\n\n${USAGE}`)
  }
})()
const { values, positionals } = args
if (values.help) {
  console.log(USAGE)
  process.exit(0)
}
const modes = [values.show !== undefined, values.all === true, positionals.length > 0].filter(Boolean).length
if (modes !== 1 || positionals.length > 1) fail(`Укажите ровно одно: id, --show <id> или --all.\n\n${USAGE}`)
if (values.all && !values.yes) fail("Сброс всех пользователей необратим: повторите с --all --yes.")
const target = values.all ? "all" : parseId(values.show ?? positionals[0])

const reset = async (db: Db, who: number | "all", withRatings: boolean) => {
  const tables = { ...PROGRESS, ...(withRatings ? RATINGS : {}) }
  const deleted = await deleteRows(db, tables, who)
  const user = who === "all" ? undefined : await roleOf(db, who)
  // Nothing stored about the id is most likely a mistyped one: said so, and not a success.
  if (who !== "all" && !user && [...deleted].every(([, n]) => n === 0))
    return fail(
      `О пользователе ${who} ничего не хранится: ни роли, ни прогресса. Проверь id (--show ${who}).`,
    )
  console.log(
    who === "all" ? "Сброс всех пользователей:" : `Сброс пользователя ${who} (роль: ${user?.role ?? "нет"}):`,
  )
  for (const [table, n] of deleted) console.log(`  ${table}: удалено ${n}`)
  console.log(withRatings ? "Роли сохранены, оценки удалены." : "Роли и оценки сохранены.")
}

const show = async (db: Db, id: number, zone: string) => {
  type Row = Record<string, string | number | Date | null>
  const q = async (query: RawBuilder<unknown>) => (await query.execute(db)).rows as Row[]
  const about = userQueries(id)
  const list = (rows: Row[], format: (r: Row) => string) => rows.map(format).join(", ") || "нет"
  const date = (d: Row[string] | undefined) =>
    d ? `${formatInZone(new Date(d).getTime(), zone)} (${zoneLabel(zone)})` : "—"
  const [user] = await q(about.user)
  const name = `${user?.first_name ?? "без имени"}${user?.username ? ` (@${user.username})` : ""}`
  console.log(
    user
      ? `Пользователь ${id}: роль ${user.role}, ${name}, добавлен ${date(user.created_at)}, ` +
          `последний визит ${date(user.last_seen_at)}`
      : `Пользователь ${id}: нет в authorized_users`,
  )
  const stats = await q(about.stats)
  console.log(`Счётчики кейсов: ${list(stats, (r) => `${r.case_id}.${r.stat}=${r.cnt}`)}`)
  const attempts = await q(about.attempts)
  console.log(`Попытки: ${list(attempts, (r) => `${r.case_id}=${Number(r.n)}`)}`)
  const [invite] = await q(about.invite)
  console.log(`Приглашение к опросу: ${invite ? `отправлено ${date(invite.sent_at)}` : "нет"}`)
  const ratings = await q(about.ratings)
  console.log(`Оценки: ${list(ratings, (r) => `${r.question}=${r.rating}`)}`)
  const [session] = await q(about.session)
  console.log(`Сессия чата: ${session ? `есть (версия ${session.version})` : "нет"}`)
}

const config = loadOpsConfig()
const db = await openOpsDatabase(config)
let code = 0
try {
  if (values.show !== undefined && target !== "all") await show(db, target, config.env.APSCHEDULER_TIMEZONE)
  else await reset(db, target, values["with-ratings"] === true)
} catch (error) {
  console.error(`❌ Ошибка: ${describeError(error).errorMessage}`)
  code = 1
} finally {
  await db.destroy().catch(() => {})
}
process.exit(code)
