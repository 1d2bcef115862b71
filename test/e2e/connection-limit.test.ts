import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test"
import postgres from "postgres"
import { FEWER_CONNECTIONS_WARNING } from "../../src/repositories/warm-up.repo"
import { type FreshDatabase, freshDatabase } from "../support/database"
import { startBot, type TestBot, textsOf } from "../support/harness"
import { recordOutput } from "../support/leak-scan"

setDefaultTimeout(60_000)

const until = async (what: string, check: () => Promise<boolean>, ms = 15_000) => {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`)
    await Bun.sleep(50)
  }
}

/**
 * A server that grants an instance few connections (near max_connections, a role's limit). The bot opens every
 * connection of its pools at start (warm-up.repo.ts): it must not wait forever for the rest, must say so in its log,
 * and with DATABASE_MAX_CONNECTIONS set to the limit it must do everything: answer, give leases back, elect a leader.
 */
describe.if(Boolean(process.env.TEST_DATABASE_URL))("a PostgreSQL that grants few connections", () => {
  let cleanup: Array<() => Promise<unknown>> = []
  afterEach(async () => {
    for (const step of cleanup.reverse()) await step()
    cleanup = []
  })

  /** A fresh database owned by a plain role limited to `limit` connections (superusers ignore limits). */
  const limitedDatabase = async (limit: number) => {
    const role = `emco_few_${process.pid}_${Math.floor(Math.random() * 1e6)}`
    const fresh: FreshDatabase = await freshDatabase("postgres")
    const url = new URL(fresh.env.DATABASE_URL!)
    const admin = postgres(url.toString(), { max: 1, onnotice: () => {} })
    await admin.unsafe(`create role ${role} login connection limit ${limit}`)
    await admin.unsafe(`alter database ${url.pathname.slice(1)} owner to ${role}`)
    await admin.unsafe(`alter schema public owner to ${role}`)
    cleanup.push(async () => {
      await admin.end()
      await fresh.drop()
      const server = postgres(process.env.TEST_DATABASE_URL!, { max: 1, onnotice: () => {} })
      await server.unsafe(`drop role if exists ${role}`)
      await server.end()
    })
    url.username = role
    return { fresh: { ...fresh, env: { DATABASE_URL: url.toString() } }, admin }
  }

  const start = async (database: FreshDatabase, env: Record<string, string> = {}) => {
    const lines: string[] = []
    const logSink = (line: string) => {
      recordOutput(line)
      lines.push(line)
    }
    const bot: TestBot = await startBot({ backend: "postgres", database, env, logSink })
    cleanup.push(() => bot.stop())
    return { bot, lines }
  }

  test("a role limited to 12 connections (the default pools and the leader hold 15) → the bot starts, answers /start, and logs that it got fewer", async () => {
    const { fresh } = await limitedDatabase(12)
    const started = performance.now()
    const { bot, lines } = await start(fresh)
    expect(performance.now() - started).toBeLessThan(30_000)
    expect(textsOf(await bot.user(8801).send("/start")).join("\n")).toContain("пароль")
    const warning = lines.find((line) => line.includes(FEWER_CONNECTIONS_WARNING))
    expect(warning).toBeDefined()
    expect(JSON.parse(warning!)).toMatchObject({ asked: 14 })
  })

  test("a role limited to 7 connections with DATABASE_MAX_CONNECTIONS=7 → no warning; updates answered, leases given back, a scheduler leader elected", async () => {
    const { fresh, admin } = await limitedDatabase(7)
    const { bot, lines } = await start(fresh, { DATABASE_MAX_CONNECTIONS: "7" })
    const users = [8811, 8812, 8813, 8814, 8815].map((id) => bot.user(id))
    const replies = await Promise.all(users.map((user) => user.send("/start")))
    for (const reply of replies) expect(textsOf(reply).join("\n")).toContain("пароль")
    await until("every chat lease given back", async () => {
      const [row] = await admin.unsafe("select count(*)::int as n from chat_leases")
      return row?.n === 0
    })
    await until("a scheduler leader holding its lock", async () => {
      const [row] = await admin.unsafe(
        "select count(*)::int as n from pg_locks l join pg_stat_activity a using (pid) where l.locktype = 'advisory' and l.granted and a.application_name = 'emco-scheduler-leader'",
      )
      return row?.n === 1
    })
    expect(lines.filter((line) => line.includes(FEWER_CONNECTIONS_WARNING))).toEqual([])
    const [row] = await admin.unsafe("select count(*)::int as n from pg_stat_activity where usename = $1", [
      new URL(fresh.env.DATABASE_URL!).username,
    ])
    expect(row?.n).toBeLessThanOrEqual(7)
  })
})
