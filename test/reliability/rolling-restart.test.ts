import { describe, expect, setDefaultTimeout, test } from "bun:test"
import { authTexts } from "../../src/auth/texts"
import { findCase } from "../../src/cases/registry"
import { visibleText } from "../../src/core/html"
import { requestsNamed, scriptRoleplay } from "../support/ai-script"
import { startFakeOpenAi } from "../support/fake-openai"
import { testEnv } from "../support/harness"
import type { BotProcess } from "../support/process"
import { useProcessFixture } from "../support/process-fixture"
import { processLearner, webhookDelivery } from "../support/process-learner"
import { textUpdate } from "../support/updates"
import { waitFor } from "../support/wait"

setDefaultTimeout(120_000)

const RATE = 50
const SECONDS = 8
const FIRST_CHAT = 610_000
const spec = findCase("fb_employee")!

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

    const deliver = webhookDelivery(tg, () => target)

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
        (_, i) => tg!.chat(FIRST_CHAT + i).filter((m) => m.text === authTexts.askPassword).length,
      )
    while (answered().some((n) => n === 0) && Date.now() < deadline) await Bun.sleep(100)
    const counts = answered()
    expect(counts.filter((n) => n === 0).length).toBe(0)
    expect(counts.filter((n) => n > 1).length).toBe(0)
    // Both instances did real work: the hand-over happened mid-stream.
    expect(first.lines.some((l) => l.includes('"msg":"bot stopped"'))).toBe(true)
  })

  test("20 learners mid-turn (AI calls in flight) through a rolling restart → every line answered exactly once", async () => {
    const tg = await fx.botApi()
    const ai = startFakeOpenAi()
    fx.onTeardown(() => ai.stop())
    const database = await fx.database("postgres")
    const env = { ...testEnv(tg, database, "webhook", ai), LOG_LEVEL: "info", SHUTDOWN_TIMEOUT_SEC: "1" }
    const first = fx.spawn(env)
    let port = Number((await first.waitForLog("bot started")).webhookPort)
    scriptRoleplay(ai, spec, [])
    const learners = Array.from({ length: 20 }, (_, i) =>
      processLearner(tg, () => port, FIRST_CHAT + 5000 + i),
    )
    await Promise.all(
      learners.map(async (l) => {
        await l.signIn((t) => t.startsWith("👋 Привет"))
        await l.send(`/${spec.commands.start}`)
        await l.waitForTexts("the algorithm", (t) => t === visibleText(spec.texts.algorithm))
      }),
    )
    const personaCalls = () => requestsNamed(ai, "persona_reply").length
    ai.setLatency(3000)
    await Promise.all(learners.map((l, i) => l.send(`Первая реплика ученика ${i}`)))
    await waitFor("20 persona calls in flight", () => personaCalls() === 20)

    const second = fx.spawn(env)
    port = Number((await second.waitForLog("bot started")).webhookPort)
    first.proc.kill("SIGTERM")
    // Lines sent while the old instance stops and the first answers are still out: queued behind them.
    await Promise.all(learners.map((l, i) => l.send(`Вторая реплика ученика ${i}`)))
    expect(await first.exited).toBe(0)

    const isPersonaLine = (t: string) => t.startsWith(`${spec.persona.emoji} ${spec.persona.name}:`)
    await Promise.all(learners.map((l) => l.waitForTexts("two answers", isPersonaLine, 2)))
    await Bun.sleep(3000)
    const counts = learners.map((l) => l.screen().filter((m) => isPersonaLine(m.text ?? "")).length)
    expect(counts).toEqual(learners.map(() => 2))
    // Each line reached the persona model: none dropped on the way.
    const asked = requestsNamed(ai, "persona_reply").map(
      (r) => (r.body as { messages: Array<{ content: string }> }).messages.at(-1)?.content ?? "",
    )
    for (const [i] of learners.entries())
      for (const line of [`Первая реплика ученика ${i}`, `Вторая реплика ученика ${i}`])
        expect(asked.some((content) => content.includes(line))).toBe(true)
  })
})
