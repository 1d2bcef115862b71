import { describe, expect, setDefaultTimeout, test } from "bun:test"
import { texts } from "../../src/app/texts"
import { testEnv, WEBHOOK_SECRET } from "../support/harness"
import type { BotProcess } from "../support/process"
import { useProcessFixture } from "../support/process-fixture"
import { textUpdate } from "../support/updates"

setDefaultTimeout(120_000)

const RATE = 50
const SECONDS = 8
const FIRST_CHAT = 610_000

/**
 * R1 + R2: a steady webhook stream at 50 updates/s, every update delivered twice, while the running instance gets
 * SIGTERM and a new one takes over (a rolling deploy on a shared PostgreSQL). Telegram's behaviour is played by
 * the test: an update is re-sent, to whichever instance is current, until one answers 200.
 */
describe.skipIf(!process.env.TEST_DATABASE_URL)("rolling restart under a 50 updates/s stream", () => {
  const fx = useProcessFixture()

  test("every update answered exactly once, none lost; the old instance exits 0", async () => {
    const tg = await fx.botApi()
    const database = await fx.database("postgres")
    const env = { ...testEnv(tg, database, "webhook"), LOG_LEVEL: "info", SHUTDOWN_TIMEOUT_SEC: "10" }
    const first = fx.spawn(env)
    let target = Number((await first.waitForLog("bot started")).webhookPort)

    const deliver = async (update: object) => {
      for (let attempt = 0; attempt < 200; attempt++) {
        const status = await fetch(`http://127.0.0.1:${target}/webhook`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": WEBHOOK_SECRET },
          body: JSON.stringify(update),
        }).then(
          (r) => r.status,
          () => 0,
        )
        if (status === 200) return
        await Bun.sleep(200)
      }
      throw new Error("an update was never accepted")
    }

    const total = RATE * SECONDS
    const deliveries: Promise<void>[] = []
    let second: BotProcess | undefined
    for (let i = 0; i < total; i++) {
      const update = textUpdate("/start", { chatId: FIRST_CHAT + i, userId: FIRST_CHAT + i })
      // R2: Telegram may deliver the same update twice (a retry after a timeout, two instances behind a balancer).
      deliveries.push(
        deliver(update),
        Bun.sleep(30).then(() => deliver(update)),
      )
      if (i === RATE * 2) {
        second = fx.spawn(env)
        void second.waitForLog("bot started").then((started) => {
          target = Number(started.webhookPort)
          first.proc.kill("SIGTERM")
        })
      }
      await Bun.sleep(1000 / RATE)
    }
    await Promise.all(deliveries)
    expect(await first.exited).toBe(0)
    expect(second).toBeDefined()

    const deadline = Date.now() + 30_000
    const answered = () =>
      Array.from(
        { length: total },
        (_, i) => tg!.chat(FIRST_CHAT + i).filter((m) => m.text === texts.askPassword).length,
      )
    while (answered().some((n) => n === 0) && Date.now() < deadline) await Bun.sleep(100)
    const counts = answered()
    expect(counts.filter((n) => n === 0).length).toBe(0)
    expect(counts.filter((n) => n > 1).length).toBe(0)
    // Both instances did real work: the hand-over happened mid-stream.
    expect(first.lines.some((l) => l.includes('"msg":"bot stopped"'))).toBe(true)
  })
})
