import { describe, expect, setDefaultTimeout, test } from "bun:test"
import { sql } from "kysely"
import { jsonb } from "../../src/repositories/jsonb"
import { migrateToLatest, openDatabase } from "../../src/services/db"
import { configOf, type Db } from "../repositories/database"
import { type Backend, backends, freshDatabase } from "../support/database"
import { runScript } from "./support"

setDefaultTimeout(30_000)

const runCli = (env: Record<string, string>) => runScript("src/cli/stats.ts", [], env)

const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000)

const attempt = (userId: number, outcome: "completed" | "out_of_moves" | "manual", score: number) => ({
  user_id: userId,
  chat_id: userId,
  case_id: "fb_peer",
  attempt_no: 1,
  started_at: daysAgo(1),
  ended_at: daysAgo(1),
  outcome,
  turns: 5,
  score,
  covered: jsonb([]),
  transcript: jsonb([]),
})

const aiCall = (outcome: string, input: number, output: number, latency: number) => ({
  channel: "dialogue",
  provider: "gemini",
  model: "gemini-flash",
  input_tokens: input,
  output_tokens: output,
  latency_ms: latency,
  outcome,
})

const seed = async (db: Db) => {
  await db
    .insertInto("authorized_users")
    .values([
      { user_id: 1, role: "user", last_seen_at: daysAgo(1) },
      { user_id: 2, role: "user", last_seen_at: daysAgo(10) },
      { user_id: 3, role: "admin", last_seen_at: daysAgo(40) },
    ])
    .execute()
  await db
    .insertInto("case_stats")
    .values([
      { user_id: 1, case_id: "fb_peer", stat: "started", cnt: 3 },
      { user_id: 1, case_id: "fb_peer", stat: "completed", cnt: 2 },
      { user_id: 2, case_id: "fb_peer", stat: "started", cnt: 1 },
    ])
    .execute()
  await db
    .insertInto("case_attempts")
    .values([attempt(1, "completed", 4), attempt(1, "completed", 5), attempt(2, "out_of_moves", 2)])
    .execute()
  await db
    .insertInto("bot_ratings")
    .values([
      { user_id: 1, question: "overall_impression", rating: 9 },
      { user_id: 2, question: "overall_impression", rating: 6 },
    ])
    .execute()
  await db.insertInto("rating_comments").values({ user_id: 1, comment: "спасибо" }).execute()
  await db.insertInto("rating_invites").values({ user_id: 1 }).execute()
  await db
    .insertInto("ai_calls")
    .values([aiCall("ok", 10, 5, 100), aiCall("ok", 20, 10, 200), aiCall("timeout", 0, 0, 300)])
    .execute()
  const payload = jsonb({})
  await db
    .insertInto("update_inbox")
    .values([
      { update_id: 1, chat_id: 1, kind: "update", payload },
      {
        update_id: 2,
        chat_id: 1,
        kind: "update",
        payload,
        attempts: 5,
        last_error: "X",
        processed_at: new Date(),
      },
    ])
    .execute()
}

const database = async (backend: Backend, fill?: (db: Db) => Promise<void>) => {
  const fresh = await freshDatabase(backend)
  const db = await openDatabase(configOf(fresh))
  try {
    await migrateToLatest(db)
    await fill?.(db)
  } finally {
    await db.destroy()
  }
  return fresh
}

describe.each(backends)("bun run stats (%s)", (backend) => {
  test("seeded database → users, attempts, completion, survey, AI and inbox lines, exit 0", async () => {
    const fresh = await database(backend, seed)
    const { code, stdout, stderr } = await runCli(fresh.env)
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" })
    for (const line of [
      "Всего: 3, администраторов: 1, пользователей: 2",
      "Активны за 7 дней: 1, за 30 дней: 2",
      "fb_peer — все темы раскрыты: 2 (средний балл 4.5)",
      "fb_peer — закончились ходы: 1 (средний балл 2.0)",
      "fb_peer: начато 4, завершено 2 (50%)",
      "Завершили хотя бы один кейс: 1 из 2 начавших",
      "overall_impression: средняя 7.5 (ответов: 2)",
      "Комментариев: 1, приглашений к опросу: 1",
      "gemini: вызовов 3, ошибок 1 (33%), токены 30 вход / 15 выход, средняя задержка 200 мс",
      "Брошено после ошибок: 1",
    ])
      expect(stdout).toContain(line)
    expect(stdout).toMatch(/Не обработано: 1, старейшее ждёт \d+ с; из них с ошибками: 0/)
    expect(stdout).toMatch(/📊 Статистика EMCO на \d\d\.\d\d\.\d{4} \d\d:\d\d \(МСК\)/)
    expect(stdout).not.toContain("спасибо")
    await fresh.drop()
  })

  test("empty database → zeros and «пока нет» lines, exit 0", async () => {
    const fresh = await database(backend)
    const { code, stdout } = await runCli(fresh.env)
    expect(code).toBe(0)
    for (const line of ["Всего: 0", "Попыток пока нет", "Ответов пока нет", "Вызовов пока не было"])
      expect(stdout).toContain(line)
    expect(stdout).toContain("Не обработано: 0; из них с ошибками: 0")
    await fresh.drop()
  })

  test("a table missing → error line, exit 1", async () => {
    const fresh = await database(backend, (db) => sql`drop table ai_calls`.execute(db).then(() => {}))
    const { code, stderr } = await runCli(fresh.env)
    expect(code).toBe(1)
    expect(stderr).toContain("❌ Не удалось собрать статистику")
    await fresh.drop()
  })
})
