import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test"
import postgres from "postgres"
import { type FreshDatabase, freshDatabase } from "../support/database"
import { startBot, type TestBot, textsOf } from "../support/harness"

setDefaultTimeout(60_000)

/**
 * The bot opens every connection of its pools at start, to warm them (warm-up.repo.ts). A server that grants fewer
 * (near max_connections, a role's limit) must still see it start and answer, not wait forever for the rest.
 */
describe.if(Boolean(process.env.TEST_DATABASE_URL))("a PostgreSQL that grants few connections", () => {
  const role = `emco_few_${process.pid}_${Math.floor(Math.random() * 1e6)}`
  let fresh: FreshDatabase | undefined
  let bot: TestBot | undefined
  afterAll(async () => {
    await bot?.stop()
    await fresh?.drop()
    const admin = postgres(process.env.TEST_DATABASE_URL!, { max: 1, onnotice: () => {} })
    await admin.unsafe(`drop role if exists ${role}`)
    await admin.end()
  })

  test("a role limited to 12 connections (the bot's pools and its leader election hold 15) → the bot starts and answers /start", async () => {
    fresh = await freshDatabase("postgres")
    const url = new URL(fresh.env.DATABASE_URL!)
    // Not a superuser (they ignore connection limits), owning its database, so that it can migrate it.
    const owner = postgres(url.toString(), { max: 1, onnotice: () => {} })
    await owner.unsafe(`create role ${role} login connection limit 12`)
    await owner.unsafe(`alter database ${url.pathname.slice(1)} owner to ${role}`)
    await owner.unsafe(`alter schema public owner to ${role}`)
    await owner.end()
    url.username = role
    const started = performance.now()
    bot = await startBot({
      backend: "postgres",
      database: { ...fresh, env: { DATABASE_URL: url.toString() } },
    })
    expect(performance.now() - started).toBeLessThan(30_000)
    const me = bot.user(8801)
    expect(textsOf(await me.send("/start")).join("\n")).toContain("пароль")
  })
})
