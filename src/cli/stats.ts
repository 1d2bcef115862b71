import { type Kysely, type RawBuilder, sql } from "kysely"
import type { Database } from "../../db/schema"
import { openDatabase } from "../services/db"
import { describeError } from "../services/log"
import { loadOpsConfig } from "./ops-config"

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

const users = async (db: Db) => {
  say("👥 Пользователи")
  const byRole = await rows(
    db,
    sql`select role, count(*) as n from authorized_users group by role order by role`,
  )
  const total = byRole.reduce((sum, r) => sum + n(r.n), 0)
  say(`  Всего: ${total}${byRole.map((r) => `, ${ROLES[String(r.role)] ?? r.role}: ${n(r.n)}`).join("")}`)
  const [active] = await rows(
    db,
    sql`select count(*) filter (where last_seen_at > now() - interval '7 days') as week,
      count(*) filter (where last_seen_at > now() - interval '30 days') as month from authorized_users`,
  )
  say(`  Активны за 7 дней: ${n(active?.week)}, за 30 дней: ${n(active?.month)}`)
}

const cases = async (db: Db) => {
  say("\n🎯 Попытки по кейсам")
  const attempts = await rows(
    db,
    sql`select case_id, outcome, count(*) as n, avg(score) as score from case_attempts
      group by case_id, outcome order by case_id, outcome`,
  )
  if (attempts.length === 0) say("  Попыток пока нет")
  for (const r of attempts)
    say(
      `  ${r.case_id} — ${OUTCOMES[String(r.outcome)] ?? r.outcome}: ${n(r.n)} (средний балл ${fixed(r.score)})`,
    )
  say("\n✅ Прохождение (счётчики case_stats)")
  const stats = await rows(
    db,
    sql`select case_id, sum(cnt) filter (where stat = 'started') as started,
      sum(cnt) filter (where stat = 'completed') as completed from case_stats group by case_id order by case_id`,
  )
  if (stats.length === 0) say("  Кейсы ещё не запускали")
  for (const r of stats)
    say(
      `  ${r.case_id}: начато ${n(r.started)}, завершено ${n(r.completed)} (${percent(n(r.completed), n(r.started))})`,
    )
  const [people] = await rows(
    db,
    sql`select (select count(distinct user_id) from case_stats where stat = 'completed' and cnt > 0) as done,
      (select count(distinct user_id) from case_stats where stat = 'started' and cnt > 0) as started`,
  )
  say(`  Завершили хотя бы один кейс: ${n(people?.done)} из ${n(people?.started)} начавших`)
}

const survey = async (db: Db) => {
  say("\n⭐ Опрос")
  const answers = await rows(
    db,
    sql`select question, avg(rating) as avg, count(*) as n from bot_ratings group by question order by question`,
  )
  if (answers.length === 0) say("  Ответов пока нет")
  for (const r of answers) say(`  ${r.question}: средняя ${fixed(r.avg)} (ответов: ${n(r.n)})`)
  const [extra] = await rows(
    db,
    sql`select (select count(*) from rating_comments) as comments, (select count(*) from rating_invites) as invites`,
  )
  say(`  Комментариев: ${n(extra?.comments)}, приглашений к опросу: ${n(extra?.invites)}`)
}

const ai = async (db: Db) => {
  say("\n🤖 Вызовы ИИ (ai_calls)")
  const providers = await rows(
    db,
    sql`select provider, count(*) as n, count(*) filter (where outcome <> 'ok') as errors,
      sum(input_tokens) as input, sum(output_tokens) as output, avg(latency_ms) as latency
      from ai_calls group by provider order by provider`,
  )
  if (providers.length === 0) say("  Вызовов пока не было")
  for (const r of providers)
    say(
      `  ${r.provider}: вызовов ${n(r.n)}, ошибок ${n(r.errors)} (${percent(n(r.errors), n(r.n))}), ` +
        `токены ${n(r.input)} вход / ${n(r.output)} выход, средняя задержка ${Math.round(n(r.latency))} мс`,
    )
}

const inbox = async (db: Db) => {
  say("\n📥 Очередь входящих (update_inbox)")
  const [r] = await rows(
    db,
    sql`select count(*) filter (where processed_at is null) as pending,
      count(*) filter (where processed_at is null and attempts > 0) as retrying,
      count(*) filter (where processed_at is not null and last_error is not null) as failed,
      extract(epoch from now() - min(received_at) filter (where processed_at is null)) as oldest
      from update_inbox`,
  )
  const oldest = r?.oldest == null ? "" : `, старейшее ждёт ${Math.round(n(r.oldest))} с`
  say(`  Не обработано: ${n(r?.pending)}${oldest}; из них с ошибками: ${n(r?.retrying)}`)
  say(`  Брошено после ошибок: ${n(r?.failed)}`)
}

const config = loadOpsConfig()
const db = await openDatabase(config.database)
let code = 0
try {
  say(`📊 Статистика EMCO на ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC\n`)
  for (const section of [users, cases, survey, ai, inbox]) await section(db)
} catch (error) {
  console.error(`❌ Не удалось собрать статистику: ${describeError(error).errorMessage}`)
  code = 1
} finally {
  await db.destroy().catch(() => {})
}
process.exit(code)
