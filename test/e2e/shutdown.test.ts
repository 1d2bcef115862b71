import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test"
import { Result } from "effect"
import { authTexts } from "../../src/auth/texts"
import { parseConfig } from "../../src/config/config"
import { StartupError, startApp } from "../../src/start"
import { backends, type FreshDatabase, freshDatabase } from "../support/database"
import { type FakeBotApi, startFakeBotApi } from "../support/fake-bot-api"
import { startBot, type TestBot, testEnv, WEBHOOK_SECRET } from "../support/harness"
import { spawnBot } from "../support/process"
import { textUpdate } from "../support/updates"

// Each file boots the real app (the first PGlite boot of a run alone takes seconds); set per file, as bun
// applies setDefaultTimeout only to the file that calls it.
setDefaultTimeout(30_000)

const post = (port: unknown, update: unknown) =>
  fetch(`http://127.0.0.1:${port}/webhook`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": WEBHOOK_SECRET },
    body: JSON.stringify(update),
  })

/** The bot has sent the request (it is now in flight at the fake, which answers only after its delay). */
const arrived = async (tg: FakeBotApi, method: string) => {
  const deadline = Date.now() + 5000
  while (!tg.calls.some((c) => c.method === method)) {
    if (Date.now() > deadline) throw new Error(`${method} never arrived`)
    await Bun.sleep(5)
  }
}

const answersTo = (tg: FakeBotApi, chatId: number) =>
  tg.chat(chatId).filter((m) => m.text === authTexts.askPassword).length

describe.each(backends)("graceful shutdown of a real process (%s)", (backend) => {
  let tg: FakeBotApi
  let database: FreshDatabase
  let next: TestBot | undefined
  afterEach(async () => {
    await next?.stop()
    next = undefined
    await tg?.stop()
    await database?.drop()
  })

  test("SIGTERM while an update is in flight → it completes, new updates get 503, exit code 0", async () => {
    tg = await startFakeBotApi()
    database = await freshDatabase(backend)
    const bot = spawnBot({
      ...testEnv(tg, database, "webhook"),
      LOG_LEVEL: "info",
      SHUTDOWN_TIMEOUT_SEC: "10",
    })
    const started = await bot.waitForLog("bot started")
    tg.delayNext("sendMessage", 1500)
    expect((await post(started.webhookPort, textUpdate("/start", { chatId: 401, userId: 401 }))).status).toBe(
      200,
    )
    await arrived(tg, "sendMessage")
    bot.proc.kill("SIGTERM")
    await bot.waitForLog("shutting down")
    const late = await post(started.webhookPort, textUpdate("/start", { chatId: 402, userId: 402 })).catch(
      () => null,
    )
    expect(late === null || late.status === 503).toBe(true)
    expect(await bot.exited).toBe(0)
    expect(answersTo(tg, 401)).toBe(1)
    expect(bot.lines.some((l) => l.includes('"drained":true'))).toBe(true)
  })

  test("SIGTERM with work that outlasts SHUTDOWN_TIMEOUT_SEC → exit 0, and the next start finishes it", async () => {
    tg = await startFakeBotApi()
    database = await freshDatabase(backend)
    const env = { ...testEnv(tg, database, "webhook"), LOG_LEVEL: "info", SHUTDOWN_TIMEOUT_SEC: "1" }
    const bot = spawnBot(env)
    const started = await bot.waitForLog("bot started")
    tg.delayNext("sendMessage", 4000)
    expect((await post(started.webhookPort, textUpdate("/start", { chatId: 403, userId: 403 }))).status).toBe(
      200,
    )
    await arrived(tg, "sendMessage")
    bot.proc.kill("SIGTERM")
    expect(await bot.exited).toBe(0)
    expect(bot.lines.some((l) => l.includes('"drained":false'))).toBe(true)

    next = await startBot({ backend, tg, database })
    await next.app.whenIdle()
    const pending = await next.app.db
      .selectFrom("update_inbox")
      .select("id")
      .where("processed_at", "is", null)
      .execute()
    expect(pending).toEqual([])
    // At least once: the reply interrupted mid-flight may also have arrived; it is never lost.
    expect(answersTo(tg, 403)).toBeGreaterThanOrEqual(1)
  })
})

describe("start-up configuration errors", () => {
  test("Telegram unreachable at start → a clear StartupError within the deadline, not a hang", async () => {
    const database = await freshDatabase("pglite")
    const fake = await startFakeBotApi()
    const env = { ...testEnv(fake, database, "polling"), TELEGRAM_API_ROOT: "http://127.0.0.1:9" }
    const config = parseConfig(env)
    if (Result.isFailure(config)) throw new Error(config.failure.join("\n"))
    const started = Date.now()
    const error = await startApp(config.success, { telegramStartupTimeoutMs: 500 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(StartupError)
    expect(String((error as Error).message)).toContain("Не удалось связаться с Telegram (getMe)")
    expect(Date.now() - started).toBeLessThan(10_000)
    await fake.stop()
    await database.drop()
  })

  test("missing BOT_TOKEN and a bad port → one readable message (ru+en), exit code 1", async () => {
    const bot = spawnBot({ METRICS_PORT: "abc" })
    const [code, stderr] = await Promise.all([bot.exited, bot.stderr()])
    expect(code).toBe(1)
    expect(stderr).toContain("Ошибка конфигурации / Configuration error:")
    expect(stderr).toContain("BOT_TOKEN: не задана / not set")
    expect(stderr).toContain("METRICS_PORT: «abc»")
    expect(stderr.match(/Configuration error/g)).toHaveLength(1)
    expect(bot.lines).toEqual([])
  })
})
