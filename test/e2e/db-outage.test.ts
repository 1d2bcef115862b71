import { describe, expect, setDefaultTimeout, test } from "bun:test"
import postgres from "postgres"
import { STORE_LOCK_NAMESPACE } from "../../db/migrations/0007_store_inbox_row"
import { authTexts } from "../../src/auth/texts"
import { testEnv, USER_PASSWORD, WEBHOOK_SECRET } from "../support/harness"
import { useProcessFixture } from "../support/process-fixture"
import { startTcpProxy } from "../support/tcp-proxy"
import { textUpdate } from "../support/updates"
import { waitFor } from "../support/wait"

setDefaultTimeout(90_000)

const OUTAGE_MS = 10_000
const CHAT = 811

// PostgreSQL only: the embedded PGlite cannot become unreachable.
// `refuse`: nothing listens (the server is down); `reset`: connections are accepted and dropped (a pooler or a
// balancer in front of a dead server). Both used to end in a crash or a hung pool (see patches/postgres@3.4.9.patch).
describe.skipIf(!process.env.TEST_DATABASE_URL)("PostgreSQL unreachable for 10 s (a real process)", () => {
  const fx = useProcessFixture()

  test.each(["refuse", "reset"] as const)(
    "%s: the process stays up; updates sent meanwhile are answered once after",
    async (mode) => {
      const tg = await fx.botApi()
      const database = await fx.database("postgres")
      const direct = new URL(database.env.DATABASE_URL!)
      const proxy = startTcpProxy(Number(direct.port || 5432), direct.hostname)
      fx.onTeardown(() => proxy.stop())
      const viaProxy = new URL(direct)
      viaProxy.port = String(proxy.port)
      const bot = fx.spawn({
        ...testEnv(tg, database, "webhook"),
        DATABASE_URL: viaProxy.toString(),
        LOG_LEVEL: "info",
      })
      const started = await bot.waitForLog("bot started")
      let updateId = 1000
      // Telegram's behaviour: an update is re-sent until the webhook answers 200.
      const deliver = async (text: string) => {
        const update = textUpdate(text, { chatId: CHAT, userId: CHAT, updateId: ++updateId })
        for (;;) {
          const res = await fetch(`http://127.0.0.1:${started.webhookPort}/webhook`, {
            method: "POST",
            headers: {
              "content-type": "application/json",
              "x-telegram-bot-api-secret-token": WEBHOOK_SECRET,
            },
            body: JSON.stringify(update),
          }).catch(() => null)
          if (res?.status === 200) return
          await Bun.sleep(500)
        }
      }
      const answers = () => tg!.chat(CHAT).filter((m) => m.text?.startsWith("ℹ️ Команды")).length
      await deliver("/start")
      await deliver(USER_PASSWORD)
      await waitFor("sign-in", () => tg!.chat(CHAT).length >= 2)

      proxy.cut(mode)
      const during = Promise.all([deliver("/help"), deliver("/help"), deliver("/help")])
      await Bun.sleep(OUTAGE_MS)
      proxy.restore()
      await during
      await waitFor("three help answers", () => answers() >= 3, 30_000)
      await Bun.sleep(1000)
      expect(answers()).toBe(3)
      expect(bot.proc.exitCode).toBeNull()
      // And the bot works as before.
      await deliver("/help")
      await waitFor("a fourth answer", () => answers() === 4)
    },
  )

  test("a store the database holds up (waiting on a lock) → 503 at the 10 s deadline, not a hung request; delivered again, answered once", async () => {
    const tg = await fx.botApi()
    const database = await fx.database("postgres")
    const bot = fx.spawn({ ...testEnv(tg, database, "webhook"), LOG_LEVEL: "info" })
    const { webhookPort } = await bot.waitForLog("bot started")
    const update = textUpdate("/start", { chatId: CHAT, userId: CHAT, updateId: 5000 })
    tg.acceptIncoming(update)
    const post = () =>
      fetch(`http://127.0.0.1:${webhookPort}/webhook`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": WEBHOOK_SECRET },
        body: JSON.stringify(update),
      })
    // The chat's store lock (migration 0007), held from outside: the bot's store statement waits on it.
    const locker = postgres(database.env.DATABASE_URL!, { max: 1, onnotice: () => {} })
    fx.onTeardown(() => locker.end())
    await locker`select pg_advisory_lock(${STORE_LOCK_NAMESPACE}, ${CHAT})`
    const sentAt = performance.now()
    const held = await post()
    const waited = performance.now() - sentAt
    expect(held.status).toBe(503)
    expect(waited).toBeGreaterThan(9_500)
    expect(waited).toBeLessThan(20_000)
    await locker`select pg_advisory_unlock(${STORE_LOCK_NAMESPACE}, ${CHAT})`
    // Telegram delivers it again; the inbox knows it if the held statement landed after all.
    await waitFor("accepted again", async () => (await post()).status === 200, 10_000)
    await waitFor("the answer", () => tg.chat(CHAT).length >= 1)
    await Bun.sleep(1000)
    expect(tg.chat(CHAT).map((m) => m.text)).toEqual([authTexts.askPassword])
  })
})
