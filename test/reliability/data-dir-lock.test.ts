import { describe, expect, setDefaultTimeout, test } from "bun:test"
import { join } from "node:path"
import { testEnv } from "../support/harness"
import { useProcessFixture } from "../support/process-fixture"
import { processLearner } from "../support/process-learner"

setDefaultTimeout(120_000)

const ROOT = join(import.meta.dir, "../..")

/**
 * Two processes on one embedded data directory overwrite each other's writes (an outside run lost roles, updates
 * and a password's erasure): a second bot, or an ops command, on a folder a bot holds is refused with a message
 * that names the folder; a bot started while a deploy's old one drains waits for it, then takes over.
 */
describe("one process per embedded DATA_DIR, real processes (pglite)", () => {
  const fx = useProcessFixture()

  test("a second bot and an ops command are refused while the first runs, which keeps answering", async () => {
    const tg = await fx.botApi()
    const database = await fx.database("pglite")
    const env = { ...testEnv(tg, database, "webhook"), LOG_LEVEL: "info" }
    const first = fx.spawn(env)
    const port = Number((await first.waitForLog("bot started")).webhookPort)

    const second = fx.spawn({ ...env, DATABASE_CONNECT_TIMEOUT_SEC: "2" })
    await second.waitForLog("data directory in use by another process, waiting")
    expect(await second.exited).toBe(1)
    expect(await second.stderr()).toContain("DATA_DIR) уже занял другой процесс")

    const stats = Bun.spawn(["bun", "src/cli/stats.ts"], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stderr: "pipe",
    })
    expect(await stats.exited).toBe(1)
    expect(await new Response(stats.stderr).text()).toContain("DATA_DIR) уже занял другой процесс")

    const learner = processLearner(tg, () => port, 1601)
    await learner.signIn((t) => t.startsWith("👋 Привет"))
    await learner.send("/faq")
    await learner.waitForTexts("the FAQ", (t) => t.startsWith("❓ Частые вопросы"))
  })

  test("a bot started while the old one drains waits for it, then answers (nothing lost on the way)", async () => {
    const tg = await fx.botApi()
    const database = await fx.database("pglite")
    const env = { ...testEnv(tg, database, "webhook"), LOG_LEVEL: "info" }
    const old = fx.spawn(env)
    let port = Number((await old.waitForLog("bot started")).webhookPort)
    const learner = processLearner(tg, () => port, 1602)
    await learner.signIn((t) => t.startsWith("👋 Привет"))

    const next = fx.spawn(env)
    await next.waitForLog("data directory in use by another process, waiting")
    old.proc.kill("SIGTERM")
    expect(await old.exited).toBe(0)
    port = Number((await next.waitForLog("bot started")).webhookPort)
    // Signed in with the old process: the new one read what the old one wrote.
    await learner.send("/faq")
    await learner.waitForTexts("the FAQ", (t) => t.startsWith("❓ Частые вопросы"))
  })
})
