import { describe, expect, setDefaultTimeout, test } from "bun:test"
import { testEnv } from "../support/harness"
import type { BotProcess } from "../support/process"
import { useProcessFixture } from "../support/process-fixture"
import { processLearner } from "../support/process-learner"
import { waitFor } from "../support/wait"

setDefaultTimeout(120_000)

const LEASE_SECONDS = 30

/**
 * The embedded database (PGlite) has one process by construction: after a kill -9, the chat leases the dead process
 * held are released at the next start, so updates that were acknowledged but not yet answered are answered within a
 * sweep — not after the lease (30 s) runs out.
 */
describe("an embedded bot killed mid-reply, real processes (pglite)", () => {
  const fx = useProcessFixture()

  /** A signed-in learner of an embedded bot in its own process; `killAndRestart` answers when the new one is up. */
  const signedInBot = async (learnerId: number) => {
    const tg = await fx.botApi()
    const database = await fx.database("pglite")
    const env = { ...testEnv(tg, database, "webhook"), LOG_LEVEL: "info" }
    let current: BotProcess = fx.spawn(env)
    let port = Number((await current.waitForLog("bot started")).webhookPort)
    const learner = processLearner(tg, () => port, learnerId)
    await learner.signIn((t) => t.startsWith("👋 Привет"))
    const killAndRestart = async () => {
      current.proc.kill("SIGKILL")
      await current.exited
      current = fx.spawn(env)
      port = Number((await current.waitForLog("bot started")).webhookPort)
      return Date.now()
    }
    return { tg, learner, killAndRestart }
  }

  test("kill -9 while a reply is on its way, a second update waiting behind it → after the restart both are answered once, well within the lease", async () => {
    const { tg, learner, killAndRestart } = await signedInBot(1501)

    // The reply to /help is held by Telegram; /faq is acknowledged and waits behind it in the chat's order.
    tg.delayNext("sendMessage", 10_000)
    await learner.send("/help")
    await waitFor("the reply in flight", () =>
      tg.calls.some((c) => c.method === "sendMessage" && c.status === 0),
    )
    await learner.send("/faq")
    const restartedAt = await killAndRestart()
    await learner.waitForTexts("the help", (t) => t.startsWith("ℹ️ Команды"))
    await learner.waitForTexts("the FAQ", (t) => t.startsWith("❓ Частые вопросы"))
    // Answered by the new process at once, not after the dead one's lease expired.
    expect(Date.now() - restartedAt).toBeLessThan((LEASE_SECONDS / 2) * 1000)
    await Bun.sleep(3000)
    const shown = learner.screen().map((m) => m.text ?? "")
    expect(shown.filter((t) => t.startsWith("ℹ️ Команды"))).toHaveLength(1)
    expect(shown.filter((t) => t.startsWith("❓ Частые вопросы"))).toHaveLength(1)
  })

  // A finished chat keeps its lease for a moment (given back with others every 20 ms): killed in that moment, the
  // dead process leaves it held; the next start must free it, or the chat's next update would wait out the lease.
  test("kill -9 the moment a reply arrives (its chat's lease not yet given back) → after the restart the chat's next update is answered at once", async () => {
    const { learner, killAndRestart } = await signedInBot(1502)
    await learner.send("/help")
    await learner.waitForTexts("the help", (t) => t.startsWith("ℹ️ Команды"))
    const restartedAt = await killAndRestart()
    await learner.send("/faq")
    await learner.waitForTexts("the FAQ", (t) => t.startsWith("❓ Частые вопросы"))
    expect(Date.now() - restartedAt).toBeLessThan((LEASE_SECONDS / 2) * 1000)
    await Bun.sleep(1000)
    expect(learner.screen().filter((m) => (m.text ?? "").startsWith("❓ Частые вопросы"))).toHaveLength(1)
  })
})
