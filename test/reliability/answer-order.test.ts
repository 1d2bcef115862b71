import { describe, expect, setDefaultTimeout, test } from "bun:test"
import { visibleText } from "../../src/core/html"
import { type Backend, backends } from "../support/database"
import type { FakeBotApi } from "../support/fake-bot-api"
import { testEnv } from "../support/harness"
import type { BotProcess } from "../support/process"
import { useProcessFixture } from "../support/process-fixture"
import { processLearner } from "../support/process-learner"
import { waitFor } from "../support/wait"

setDefaultTimeout(120_000)

/**
 * A command whose answer needs a database read (/settings, «📈 Мои результаты») is answered by a feedback event,
 * a row of its own. Stopped (a deploy) or killed while that row waits, with updates that arrived after the command
 * behind it, the next process must still answer in the order the learner sent: the answer first.
 */

/** What the chat was shown, in the order Telegram accepted it: a label per visible message or edit. */
const shownInOrder = (tg: FakeBotApi, chatId: number, from: number) =>
  tg.calls
    .slice(from)
    .filter((c) => c.status === 200 && c.params.chat_id === chatId)
    .filter((c) => c.method === "sendMessage" || c.method === "editMessageText")
    .map((c) => {
      const text = visibleText(String(c.params.text ?? ""))
      const screen = text.startsWith("⚙️") ? (text.includes("включено") ? "settings:on" : "settings:off") : ""
      const label = screen || (text.startsWith("📈") ? "results" : text.split("\n")[0]!)
      return c.method === "editMessageText" ? `${label} (edit)` : label
    })

describe("a command's answer after a stop or a kill, real processes", () => {
  const fx = useProcessFixture()

  const signedInBot = async (backend: Backend, learnerId: number) => {
    const tg = await fx.botApi()
    const env = { ...testEnv(tg, await fx.database(backend), "webhook"), LOG_LEVEL: "info" }
    let current: BotProcess = fx.spawn(env)
    let port = Number((await current.waitForLog("bot started")).webhookPort)
    const learner = processLearner(tg, () => port, learnerId)
    await learner.signIn((t) => t.startsWith("👋 Привет"))
    const restart = async (signal: "SIGTERM" | "SIGKILL") => {
      current.proc.kill(signal)
      await current.exited
      current = fx.spawn(env)
      port = Number((await current.waitForLog("bot started")).webhookPort)
    }
    return { tg, learner, restart }
  }

  test.each(backends)(
    "SIGTERM while «📈 Мои результаты» is being answered, /help and /faq sent behind it → after the restart: results, help, FAQ (%s)",
    async (backend) => {
      const { tg, learner, restart } = await signedInBot(backend, 1701)
      const from = tg.calls.length
      // The button's spinner is stopped first (answerCallbackQuery), held here so the stop comes mid-command.
      tg.delayNext("answerCallbackQuery", 1500)
      await learner.press("📈 Мои результаты")
      await learner.send("/help")
      await learner.send("/faq")
      await waitFor("the button's answer in flight", () =>
        tg.calls.some((c) => c.method === "answerCallbackQuery" && c.status === 0),
      )
      await restart("SIGTERM")
      await learner.waitForTexts("the FAQ", (t) => t.startsWith("❓ Частые вопросы"))
      await Bun.sleep(500)
      expect(shownInOrder(tg, learner.id, from)).toEqual(["results (edit)", "ℹ️ Команды", "❓ Частые вопросы"])
    },
  )

  test("kill -9 while the answer to /settings is being sent, a switch and another /settings behind it → after the restart the newest screen is the true one (pglite)", async () => {
    const { tg, learner, restart } = await signedInBot("pglite", 1702)
    await learner.send("/settings")
    await learner.waitForTexts("the settings", (t) => t.startsWith("⚙️"))
    const from = tg.calls.length
    // The reply to /help is slow, so everything below is stored before /settings is read; then the answer to
    // /settings hangs until the kill.
    tg.delayNext("sendMessage", 1000)
    tg.delayNext("sendMessage", 30_000)
    await learner.send("/help")
    await learner.send("/settings")
    await learner.press("🔔 Включить напоминания")
    await learner.send("/settings")
    await waitFor("the answer to /settings in flight", () =>
      tg.calls.some((c) => c.status === 0 && String(c.params.text ?? "").startsWith("⚙️")),
    )
    await restart("SIGKILL")
    await learner.waitForTexts("the switched settings", (t) => t.startsWith("⚙️") && t.includes("включено"), 2)
    await Bun.sleep(500)
    // The answer cut by the kill is sent again (documented: the one command in flight), before what came after it.
    expect(shownInOrder(tg, learner.id, from)).toEqual([
      "ℹ️ Команды",
      "settings:off",
      "settings:on (edit)",
      "settings:on",
    ])
  })
})
