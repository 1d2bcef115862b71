import type { Kysely, RawBuilder } from "kysely"
import type { Database } from "../../db/schema"
import { formatInZone, zoneLabel } from "../core/dates"
import { describeError } from "../services/log"
import { loadOpsConfig, openOpsDatabase } from "./ops-config"
import { statsQueries as q } from "./stats.repo"

type Db = Kysely<Database>
type Row = Record<string, string | number | null>

const OUTCOMES: Record<string, string> = {
  completed: "все темы раскрыты",
  out_of_moves: "закончились ходы",
  manual: "завершено вручную",
}

// Aggregates come back as numbers or numeric strings depending on the driver; `n` normalises both.
const ROLES: Record<string, string> = { user: "пользователей", admin: "администраторов" }

const rows = async (db: Db, query: RawBuilder<unknown>) => (await query.execute(db)).rows as Row[]
const n = (value: string | number | null | undefined) => Number(value ?? 0)
const percent = (part: number, whole: number) => (whole > 0 ? `${Math.round((part / whole) * 100)}%` : "—")
const fixed = (value: string | number | null | undefined) => (value == null ? "—" : n(value).toFixed(1))
const say = (line = "") => console.log(line)
/** A titled list: one line per row of `query`, indented; `empty` when there is none. */
const section = async (
  db: Db,
  title: string,
  query: RawBuilder<unknown>,
  empty: string,
  line: (r: Row) => string,
) => {
  say(title)
  const items = await rows(db, query)
  if (items.length === 0) say(`  ${empty}`)
  for (const r of items) say(`  ${line(r)}`)
}

// How each listed row reads.
const attemptsByOutcomeLine = (r: Row) =>
  `${r.case_id} — ${OUTCOMES[String(r.outcome)] ?? r.outcome}: ${n(r.n)} (средний балл ${fixed(r.score)})`
const casesStartedCompletedLine = (r: Row) =>
  `${r.case_id}: начато ${n(r.started)}, завершено ${n(r.completed)} (${percent(n(r.completed), n(r.started))})`
const ratingsByQuestionLine = (r: Row) => `${r.question}: средняя ${fixed(r.avg)} (ответов: ${n(r.n)})`
const aiByProviderLine = (r: Row) =>
  `${r.provider}: вызовов ${n(r.n)}, ошибок ${n(r.errors)} (${percent(n(r.errors), n(r.n))}), ` +
  `токены ${n(r.input)} вход / ${n(r.output)} выход, средняя задержка ${Math.round(n(r.latency))} мс`

const users = async (db: Db) => {
  say("👥 Пользователи")
  const byRole = await rows(db, q.usersByRole)
  const total = byRole.reduce((sum, r) => sum + n(r.n), 0)
  say(`  Всего: ${total}${byRole.map((r) => `, ${ROLES[String(r.role)] ?? r.role}: ${n(r.n)}`).join("")}`)
  const [active] = await rows(db, q.activeUsers)
  say(`  Активны за 7 дней: ${n(active?.week)}, за 30 дней: ${n(active?.month)}`)
}

const cases = async (db: Db) => {
  await section(db, "\n🎯 Попытки по кейсам", q.attemptsByOutcome, "Попыток пока нет", attemptsByOutcomeLine)
  await section(
    db,
    "\n✅ Прохождение (счётчики case_stats)",
    q.casesStartedCompleted,
    "Кейсы ещё не запускали",
    casesStartedCompletedLine,
  )
  const [people] = await rows(db, q.learnersDone)
  say(`  Завершили хотя бы один кейс: ${n(people?.done)} из ${n(people?.started)} начавших`)
}

const survey = async (db: Db) => {
  await section(db, "\n⭐ Опрос", q.ratingsByQuestion, "Ответов пока нет", ratingsByQuestionLine)
  const [extra] = await rows(db, q.commentsAndInvites)
  say(`  Комментариев: ${n(extra?.comments)}, приглашений к опросу: ${n(extra?.invites)}`)
}

const ai = async (db: Db) => {
  await section(db, "\n🤖 Вызовы ИИ (ai_calls)", q.aiByProvider, "Вызовов пока не было", aiByProviderLine)
}

const inbox = async (db: Db) => {
  say("\n📥 Очередь входящих (update_inbox)")
  const [r] = await rows(db, q.inboxState)
  const oldest = r?.oldest == null ? "" : `, старейшее ждёт ${Math.round(n(r.oldest))} с`
  say(`  Не обработано: ${n(r?.pending)}${oldest}; из них с ошибками: ${n(r?.retrying)}`)
  say(`  Брошено после ошибок: ${n(r?.failed)}`)
}

const config = loadOpsConfig()
const db = await openOpsDatabase(config)
let code = 0
try {
  const zone = config.env.APSCHEDULER_TIMEZONE
  say(`📊 Статистика EMCO на ${formatInZone(Date.now(), zone)} (${zoneLabel(zone)})\n`)
  for (const part of [users, cases, survey, ai, inbox]) await part(db)
} catch (error) {
  console.error(`❌ Не удалось собрать статистику: ${describeError(error).errorMessage}`)
  code = 1
} finally {
  await db.destroy().catch(() => {})
}
process.exit(code)
