import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test"
import postgres from "postgres"
import { FEWER_CONNECTIONS_WARNING } from "../../src/repositories/warm-up.repo"
import { LEADER_REFUSED_WARNING } from "../../src/scheduler/leadership"
import { type FreshDatabase, freshDatabase } from "../support/database"
import { startFakeBotApi } from "../support/fake-bot-api"
import { startBot, type TestBot, testEnv, textsOf } from "../support/harness"
import { recordOutput } from "../support/leak-scan"
import { spawnBot } from "../support/process"
import { processLearner } from "../support/process-learner"

setDefaultTimeout(60_000)

const until = async (what: string, check: () => Promise<boolean>, ms = 15_000) => {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`)
    await Bun.sleep(50)
  }
}

// This test's bot only (its role, its database): other tests' bots elect leaders on the same server meanwhile.
const LEADER_HOLDS_LOCK = `select count(*)::int as n from pg_locks l join pg_stat_activity a using (pid)
  where l.locktype = 'advisory' and l.granted and a.application_name = 'emco-scheduler-leader'
    and a.usename = $1 and a.datname = current_database()`

/**
 * A server that grants an instance few connections (near max_connections, a role's limit). The bot opens every
 * connection of its pools at start (warm-up.repo.ts): it must not wait forever for the rest, must give chat leases
 * back (their pool opens first), must say in its log what falls short, and with DATABASE_MAX_CONNECTIONS set to what
 * the server allows it must do everything within it: answer, give leases back, elect a scheduler leader.
 */
describe.if(Boolean(process.env.TEST_DATABASE_URL))("a PostgreSQL that grants few connections", () => {
  let cleanup: Array<() => Promise<unknown>> = []
  afterEach(async () => {
    const steps = cleanup.toReversed()
    cleanup = []
    const failed: unknown[] = []
    for (const step of steps) await step().catch((e: unknown) => failed.push(e))
    if (failed.length > 0) throw failed[0]
  })

  /** A fresh database owned by a plain role limited to `limit` connections (superusers ignore limits). */
  const limitedDatabase = async (limit: number) => {
    const role = `emco_few_${process.pid}_${Math.floor(Math.random() * 1e6)}`
    const server = postgres(process.env.TEST_DATABASE_URL!, { max: 1, onnotice: () => {} })
    await server.unsafe(`create role ${role} login connection limit ${limit}`)
    cleanup.push(async () => {
      await server.unsafe(`drop role if exists ${role}`)
      await server.end()
    })
    const fresh: FreshDatabase = await freshDatabase("postgres")
    const url = new URL(fresh.env.DATABASE_URL!)
    const admin = postgres(url.toString(), { max: 1, onnotice: () => {} })
    cleanup.push(async () => {
      await admin.end()
      await fresh.drop()
    })
    await admin.unsafe(`alter database ${url.pathname.slice(1)} owner to ${role}`)
    await admin.unsafe(`alter schema public owner to ${role}`)
    url.username = role
    const count = async (query: string) =>
      (await admin.unsafe(query, query.includes("$1") ? [role] : []))[0]?.n as number
    return { fresh: { ...fresh, env: { DATABASE_URL: url.toString() } }, count }
  }

  const start = async (database: FreshDatabase, env: Record<string, string> = {}) => {
    const lines: string[] = []
    const logSink = (line: string) => {
      recordOutput(line)
      lines.push(line)
    }
    const bot: TestBot = await startBot({ backend: "postgres", database, env, logSink })
    cleanup.push(() => bot.stop())
    const warned = (message: string) => lines.filter((l) => l.includes(message)).map((l) => JSON.parse(l))
    return { bot, warned }
  }

  const answersAndGivesLeasesBack = async (bot: TestBot, count: (query: string) => Promise<number>) => {
    const replies = await Promise.all([8811, 8812, 8813, 8814, 8815].map((id) => bot.user(id).send("/start")))
    for (const reply of replies) expect(textsOf(reply).join("\n")).toContain("пароль")
    await until(
      "every chat lease given back",
      async () => (await count("select count(*)::int as n from chat_leases")) === 0,
    )
  }

  test("a role limited to 14 (the pools fit, the leader does not) → the limit is warned of at start", async () => {
    const { fresh } = await limitedDatabase(14)
    const { warned } = await start(fresh)
    expect(warned(FEWER_CONNECTIONS_WARNING)).toEqual([
      expect.objectContaining({ setting: 15, pools: 14, granted: 14, allowed: 14 }),
    ])
  })

  test("DATABASE_MAX_CONNECTIONS=7 on a role allowed 20 → exactly 7 connections; answers, leases back, a leader, no warning", async () => {
    const { fresh, count } = await limitedDatabase(20)
    const { bot, warned } = await start(fresh, { DATABASE_MAX_CONNECTIONS: "7" })
    await answersAndGivesLeasesBack(bot, count)
    await until("a scheduler leader holding its lock", async () => (await count(LEADER_HOLDS_LOCK)) === 1)
    const mine = "select count(*)::int as n from pg_stat_activity where usename = $1"
    expect(await count(mine)).toBe(7)
    expect(warned(FEWER_CONNECTIONS_WARNING)).toEqual([])
    expect(warned(LEADER_REFUSED_WARNING)).toEqual([])
  })

  test("as a real process (`bun src/main.ts`): a role limited to 10, the default setting → both warnings in its log (the pools, the leader), /start answered for five, every lease given back, exit 0; DATABASE_MAX_CONNECTIONS=5 → a Russian message, exit 1", async () => {
    const { fresh, count } = await limitedDatabase(10)
    const tg = await startFakeBotApi()
    cleanup.push(() => tg.stop())
    const env = { ...testEnv(tg, fresh, "webhook"), LOG_LEVEL: "info" }

    const refused = spawnBot({ ...env, DATABASE_MAX_CONNECTIONS: "5" })
    const [code, stderr] = await Promise.all([refused.exited, refused.stderr()])
    expect(code).toBe(1)
    expect(stderr).toContain("DATABASE_MAX_CONNECTIONS: «5» — нужно целое число от 6 до 1000")

    const bot = spawnBot(env)
    cleanup.push(async () => {
      bot.proc.kill("SIGKILL")
      await bot.exited
    })
    const port = Number((await bot.waitForLog("bot started", 30_000)).webhookPort)
    const warning = bot.lines.map((l) => JSON.parse(l)).find((l) => l.msg === FEWER_CONNECTIONS_WARNING)
    expect(warning).toMatchObject({ level: "warn", setting: 15, pools: 14, granted: 10, allowed: 10 })
    // No connection is left for the leader: said once, and no instance leads.
    await until("the leader's refused connection said once", async () =>
      bot.lines.some((l) => l.includes(LEADER_REFUSED_WARNING)),
    )
    expect(await count(LEADER_HOLDS_LOCK)).toBe(0)
    const learners = [8831, 8832, 8833, 8834, 8835].map((id) => processLearner(tg, () => port, id))
    await Promise.all(
      learners.map(async (learner) => {
        await learner.send("/start")
        await learner.waitForTexts("the password prompt", (t) => t.includes("пароль"))
      }),
    )
    await until(
      "every chat lease given back",
      async () => (await count("select count(*)::int as n from chat_leases")) === 0,
    )
    bot.proc.kill("SIGTERM")
    expect(await bot.exited).toBe(0)
  })
})
