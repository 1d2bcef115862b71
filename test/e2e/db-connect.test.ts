import { describe, expect, setDefaultTimeout, test } from "bun:test"
import { testEnv } from "../support/harness"
import { addSecret } from "../support/leak-scan"
import { unusedPort } from "../support/ports"
import { useProcessFixture } from "../support/process-fixture"
import { startTcpProxy } from "../support/tcp-proxy"

setDefaultTimeout(30_000)

const PASSWORD = "Pg-pass-never-logged-7"
addSecret(PASSWORD, "database password")

describe("PostgreSQL unreachable at start (a real process)", () => {
  const fx = useProcessFixture()

  test("retried with backoff for DATABASE_CONNECT_TIMEOUT_SEC, then exit 1 naming host:port, never the password", async () => {
    const tg = await fx.botApi()
    const port = unusedPort()
    const url = `postgres://emco:${PASSWORD}@127.0.0.1:${port}/emco`
    const startedAt = Date.now()
    const bot = fx.spawn({
      ...testEnv(tg, { backend: "postgres", env: {}, drop: async () => {} }, "polling"),
      DATABASE_URL: url,
      DATABASE_CONNECT_TIMEOUT_SEC: "2",
      LOG_LEVEL: "info",
    })
    const [code, stderr] = await Promise.all([bot.exited, bot.stderr()])
    const output = `${bot.lines.join("\n")}\n${stderr}`
    expect(code).toBe(1)
    expect(Date.now() - startedAt).toBeGreaterThan(1500)
    expect(stderr).toContain(`PostgreSQL на 127.0.0.1:${port} недоступен уже 2 с`)
    expect(stderr).toContain(`PostgreSQL at 127.0.0.1:${port} unreachable for 2 s`)
    const retries = bot.lines
      .map((l) => JSON.parse(l))
      .filter((l) => l.msg === "database unreachable, retrying")
    expect(retries.length).toBeGreaterThanOrEqual(2)
    expect(retries.map((r) => r.retryInMs).slice(0, 2)).toEqual([250, 500])
    expect(retries.every((r) => r.address === `127.0.0.1:${port}`)).toBe(true)
    for (const secret of [PASSWORD, url, "emco:"]) expect(output).not.toContain(secret)
    expect(output).not.toMatch(/^\s+at /m)
    expect(tg.calls).toEqual([])
  })

  test.skipIf(!process.env.TEST_DATABASE_URL)(
    "a database that does not exist → no waiting: exit 1 at once, naming host:port and the reason",
    async () => {
      const tg = await fx.botApi()
      const url = new URL(process.env.TEST_DATABASE_URL!)
      url.pathname = "/emco_no_such_database"
      const bot = fx.spawn({
        ...testEnv(tg, { backend: "postgres", env: {}, drop: async () => {} }, "polling"),
        DATABASE_URL: url.toString(),
        LOG_LEVEL: "info",
      })
      const startedAt = Date.now()
      const [code, stderr] = await Promise.all([bot.exited, bot.stderr()])
      expect(code).toBe(1)
      expect(Date.now() - startedAt).toBeLessThan(5000)
      expect(stderr).toContain(
        `PostgreSQL на ${url.hostname}:${url.port || 5432} отказал в подключении (3D000`,
      )
    },
  )

  test.skipIf(!process.env.TEST_DATABASE_URL)(
    "the server appears during the retry window → the bot connects, starts and stops cleanly",
    async () => {
      const tg = await fx.botApi()
      const database = await fx.database("postgres")
      const url = new URL(database.env.DATABASE_URL!)
      const proxy = startTcpProxy(Number(url.port || 5432), url.hostname)
      fx.onTeardown(() => proxy.stop())
      proxy.cut("refuse")
      url.port = String(proxy.port)
      const bot = fx.spawn({
        ...testEnv(tg, database, "polling"),
        DATABASE_URL: url.toString(),
        DATABASE_CONNECT_TIMEOUT_SEC: "20",
        LOG_LEVEL: "info",
      })
      const retry = await bot.waitForLog("database unreachable, retrying")
      expect(retry.address).toBe(`127.0.0.1:${proxy.port}`)
      proxy.restore()
      const started = await bot.waitForLog("bot started", 25_000)
      expect((await fetch(`http://127.0.0.1:${started.metricsPort}/ready`)).status).toBe(200)
      bot.proc.kill("SIGTERM")
      expect(await bot.exited).toBe(0)
    },
  )
})
