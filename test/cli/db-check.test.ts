import { describe, expect, setDefaultTimeout, test } from "bun:test"
import { sql } from "kysely"
import { migrations } from "../../db/migrations/index"
import { migrateToLatest } from "../../src/services/db"
import { type Backend, backends, freshDatabase } from "../support/database"
import { runScript, withDb } from "./support"

setDefaultTimeout(30_000)

const runCli = (env: Record<string, string>) => runScript("src/cli/db-check.ts", [], env)

const seeded = async (backend: Backend) => {
  const fresh = await freshDatabase(backend)
  await withDb(fresh, async (db) => {
    await migrateToLatest(db)
    await db
      .insertInto("authorized_users")
      .values([
        { user_id: 1, role: "user" },
        { user_id: 2, role: "admin" },
      ])
      .execute()
  })
  return fresh
}

describe.each(backends)("bun run db:check (%s)", (backend) => {
  test("healthy database → ✅ lines, row counts, probe insert rolled back, exit 0", async () => {
    const fresh = await seeded(backend)
    const { code, stdout } = await runCli(fresh.env)
    expect(code).toBe(0)
    const total = Object.keys(migrations).length
    expect(stdout).toContain("✅ Подключение установлено")
    expect(stdout).toMatch(/✅ Версия сервера: PostgreSQL \d+/)
    expect(stdout).toContain(`✅ Миграции применены: ${total} из ${total}`)
    expect(stdout).toContain("✅ Таблица authorized_users: 2 строки")
    expect(stdout).toContain("✅ Таблица case_attempts: 0 строк")
    expect(stdout).toContain("✅ Тестовая запись в authorized_users: вставка и откат работают")
    expect(stdout).toContain("Итог: база в порядке.")
    expect(stdout).not.toContain("❌")
    const users = await withDb(fresh, (db) => db.selectFrom("authorized_users").select("user_id").execute())
    expect(users.map((u) => Number(u.user_id)).sort()).toEqual([1, 2])
    await fresh.drop()
  })

  test("a migration not recorded and a table missing → ❌ lines for both, exit 1", async () => {
    const fresh = await seeded(backend)
    const last = Object.keys(migrations).at(-1)!
    await withDb(fresh, async (db) => {
      await sql`delete from kysely_migration where name = ${last}`.execute(db)
      await sql`drop table rating_invites`.execute(db)
    })
    const { code, stdout } = await runCli(fresh.env)
    expect(code).toBe(1)
    expect(stdout).toContain(`❌ Не применены миграции: ${last} (запустите bun run db:migrate)`)
    expect(stdout).toContain("❌ Таблица rating_invites: отсутствует")
    expect(stdout).toContain("✅ Таблица authorized_users: 2 строки")
    expect(stdout).toContain("Итог: найдено проблем — 2.")
    await fresh.drop()
  })
})

describe("bun run db:check (no server)", () => {
  test("PostgreSQL unreachable → ❌ no connection, password not printed, exit 1", async () => {
    const { code, stdout, stderr } = await runCli({
      DATABASE_URL: "postgres://emco:hunter2pw@127.0.0.1:1/emco",
    })
    expect(code).toBe(1)
    expect(stdout).toContain("Проверка базы данных (PostgreSQL 127.0.0.1:1/emco)")
    expect(stdout).toContain("❌ Нет подключения к базе:")
    expect(stdout).toContain("Итог: найдено проблем — 1.")
    expect(stdout + stderr).not.toContain("hunter2pw")
  })

  test("invalid configuration → the config error, exit 1", async () => {
    const { code, stderr } = await runCli({ DATABASE_SSL_MODE: "sometimes" })
    expect(code).toBe(1)
    expect(stderr).toContain("DATABASE_SSL_MODE")
  })
})
