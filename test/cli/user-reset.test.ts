import { describe, expect, setDefaultTimeout, test } from "bun:test"
import { sql } from "kysely"
import { jsonb } from "../../src/repositories/jsonb"
import { migrateToLatest } from "../../src/services/db"
import type { Db } from "../repositories/database"
import { type Backend, backends, type FreshDatabase, freshDatabase } from "../support/database"
import { runScript, withDb } from "./support"

setDefaultTimeout(30_000)

const runCli = (args: string[], env: Record<string, string> = {}) =>
  runScript("src/cli/user-reset.ts", args, env)

const seedUser = async (db: Db, id: number) => {
  await db.insertInto("authorized_users").values({ user_id: id, role: "user", first_name: "Анна" }).execute()
  await db
    .insertInto("case_stats")
    .values([
      { user_id: id, case_id: "fb_peer", stat: "started", cnt: 2 },
      { user_id: id, case_id: "fb_peer", stat: "completed", cnt: 1 },
    ])
    .execute()
  await db.insertInto("rating_invites").values({ user_id: id }).execute()
  const when = new Date()
  await db
    .insertInto("case_attempts")
    .values({
      ...{ user_id: id, chat_id: id, case_id: "fb_peer", attempt_no: 1, started_at: when, ended_at: when },
      ...{ outcome: "completed", turns: 3, score: 4, covered: jsonb([]), transcript: jsonb([]) },
    })
    .execute()
  await db
    .insertInto("chat_sessions")
    .values({ chat_id: id, state: jsonb({ screen: "menu" }), version: 3 })
    .execute()
  await db
    .insertInto("bot_ratings")
    .values({ user_id: id, question: "overall_impression", rating: 8 })
    .execute()
  await db.insertInto("rating_comments").values({ user_id: id, comment: "полезно" }).execute()
}

const TABLES = [
  "case_stats",
  "rating_invites",
  "case_attempts",
  "chat_sessions",
  "bot_ratings",
  "rating_comments",
]

/** Rows per table for one user (chat_sessions by chat id), plus whether the role row is still there. */
const footprint = (fresh: FreshDatabase, id: number) =>
  withDb(fresh, async (db) => {
    const out: Record<string, number> = {}
    for (const table of [...TABLES, "authorized_users"]) {
      const column = table === "chat_sessions" ? "chat_id" : "user_id"
      const { rows } = await sql<{ n: string | number }>`select count(*) as n from ${sql.table(table)}
        where ${sql.ref(column)} = ${id}`.execute(db)
      out[table] = Number(rows[0]?.n ?? 0)
    }
    return out
  })

const all = (n: number) => Object.fromEntries([...TABLES, "authorized_users"].map((t) => [t, n]))
const SEEDED = { ...all(1), case_stats: 2 }
const PROGRESS_GONE = { ...all(0), bot_ratings: 1, rating_comments: 1, authorized_users: 1 }

const seeded = async (backend: Backend) => {
  const fresh = await freshDatabase(backend)
  await withDb(fresh, async (db) => {
    await migrateToLatest(db)
    await seedUser(db, 100)
    await seedUser(db, 200)
  })
  return fresh
}

describe.each(backends)("bun run user:reset (%s)", (backend) => {
  test("<id> → that user's progress and session deleted, role and ratings kept, others untouched", async () => {
    const fresh = await seeded(backend)
    const { code, stdout } = await runCli(["100"], fresh.env)
    expect(code).toBe(0)
    expect(stdout).toContain("Сброс пользователя 100 (роль: user):")
    for (const line of ["case_stats: удалено 2", "rating_invites: удалено 1", "case_attempts: удалено 1"])
      expect(stdout).toContain(line)
    expect(stdout).toContain("chat_sessions: удалено 1")
    expect(stdout).not.toContain("bot_ratings")
    expect(await footprint(fresh, 100)).toEqual(PROGRESS_GONE)
    expect(await footprint(fresh, 200)).toEqual(SEEDED)
    await fresh.drop()
  })

  test("<id> --with-ratings → ratings and comments deleted too", async () => {
    const fresh = await seeded(backend)
    const { code, stdout } = await runCli(["200", "--with-ratings"], fresh.env)
    expect(code).toBe(0)
    expect(stdout).toContain("bot_ratings: удалено 1")
    expect(stdout).toContain("rating_comments: удалено 1")
    expect(await footprint(fresh, 200)).toEqual({ ...all(0), authorized_users: 1 })
    expect(await footprint(fresh, 100)).toEqual(SEEDED)
    await fresh.drop()
  })

  test("--show <id> → role, counters, attempts, invite, ratings and session; nothing deleted", async () => {
    const fresh = await seeded(backend)
    const { code, stdout } = await runCli(["--show", "100"], fresh.env)
    expect(code).toBe(0)
    expect(stdout).toContain("Пользователь 100: роль user, Анна")
    expect(stdout).toContain("Счётчики кейсов: fb_peer.started=2, fb_peer.completed=1")
    expect(stdout).toContain("Попытки: fb_peer=1")
    expect(stdout).toMatch(/Приглашение к опросу: отправлено \d\d\.\d\d\.\d{4} \d\d:\d\d \(МСК\)/)
    expect(stdout).toContain("Оценки: overall_impression=8")
    expect(stdout).toContain("Сессия чата: есть (версия 3)")
    expect(await footprint(fresh, 100)).toEqual(SEEDED)
    await fresh.drop()
  })

  test("--all without --yes → refused, nothing deleted; --all --yes → everyone reset", async () => {
    const fresh = await seeded(backend)
    const refused = await runCli(["--all"], fresh.env)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain("повторите с --all --yes")
    expect(await footprint(fresh, 100)).toEqual(SEEDED)
    const { code, stdout } = await runCli(["--all", "--yes"], fresh.env)
    expect(code).toBe(0)
    expect(stdout).toContain("Сброс всех пользователей:")
    expect(stdout).toContain("case_stats: удалено 4")
    expect([await footprint(fresh, 100), await footprint(fresh, 200)]).toEqual([PROGRESS_GONE, PROGRESS_GONE])
    await fresh.drop()
  })
})

describe("bun run user:reset (arguments)", () => {
  test.each([
    [[], "Укажите ровно одно"],
    [["abc"], "Неверный Telegram id: «abc»"],
    [["--show"], "argument missing"],
    [["1", "2"], "Укажите ровно одно"],
    [["--bogus", "1"], "Unknown option"],
  ])("%p → refused with usage, exit 1", async (args, message) => {
    const { code, stderr } = await runCli(args)
    expect(code).toBe(1)
    expect(stderr).toContain(message)
    expect(stderr).toContain("bun run user:reset <telegram id>")
  })

  test("an id nothing is stored about → said so, exit 1 (a mistyped id is not a successful reset)", async () => {
    const { code, stderr } = await runCli(["987654321"])
    expect(code).toBe(1)
    expect(stderr).toContain("О пользователе 987654321 ничего не хранится")
  })

  test("--help → usage, exit 0", async () => {
    const { code, stdout } = await runCli(["--help"])
    expect({ code, usage: stdout.includes("--with-ratings") }).toEqual({ code: 0, usage: true })
  })
})
