import { describe, expect, setDefaultTimeout, test } from "bun:test"
import { findCase } from "../../src/cases/registry"
import { visibleText } from "../../src/core/html"
import { openDatabase } from "../../src/services/db"
import { configOf } from "../repositories/database"
import { scriptRoleplay } from "../support/ai-script"
import { backends, type FreshDatabase } from "../support/database"
import type { FakeBotApi } from "../support/fake-bot-api"
import { startFakeOpenAi } from "../support/fake-openai"
import { testEnv } from "../support/harness"
import type { BotProcess } from "../support/process"
import { useProcessFixture } from "../support/process-fixture"
import { processLearner } from "../support/process-learner"
import { waitFor } from "../support/wait"

setDefaultTimeout(150_000)

const LEARNER = 1601
const spec = findCase("fb_employee")!
const isPersonaLine = (text: string) => text.startsWith(`${spec.persona.emoji} ${spec.persona.name}:`)

/** The chat's rows of `kind`, oldest first: when each was received, reduced and processed, and its attempts. */
const rowsOf = async (database: FreshDatabase, chatId: number, kind: "update" | "event") => {
  const db = await openDatabase(configOf(database))
  try {
    return await db
      .selectFrom("update_inbox")
      .select(["received_at", "reduced_at", "processed_at", "attempts"])
      .where("chat_id", "=", chatId)
      .where("kind", "=", kind)
      .orderBy("id")
      .execute()
  } finally {
    await db.destroy()
  }
}

/**
 * An update reduced at receipt has its step saved by the statement that stores it: the 200 and the saved step are
 * one commit. Killed after that commit, while the reply is on its way to Telegram, the next start must send that
 * reply exactly once (from the saved commands, without reducing the update again). On PostgreSQL the chat waits
 * for the dead process's lease to run out (30 s); the embedded database frees it at start.
 */
describe.each(backends)("kill -9 after a step saved at receipt, real processes (%s)", (backend) => {
  const fx = useProcessFixture()

  /** The bot as a real process, which can be killed and started again on the same database. */
  const boot = async (tg: FakeBotApi, env: Record<string, string>) => {
    let current: BotProcess = fx.spawn(env)
    let port = Number((await current.waitForLog("bot started")).webhookPort)
    return {
      port: () => port,
      /** kill -9 the moment a sendMessage is held in flight, then start again. */
      killWhileSending: async () => {
        await waitFor("the reply in flight", () =>
          tg.calls.some((c) => c.method === "sendMessage" && c.status === 0),
        )
        current.proc.kill("SIGKILL")
        await current.exited
        current = fx.spawn(env)
        port = Number((await current.waitForLog("bot started")).webhookPort)
      },
      /** Waits out a sweep, then stops the bot gracefully: it must exit 0. */
      stop: async () => {
        await Bun.sleep(2000)
        current.proc.kill("SIGTERM")
        expect(await current.exited).toBe(0)
      },
    }
  }

  test("the reply in flight when the process dies → sent once by the next start, from the step saved with the update", async () => {
    const tg = await fx.botApi()
    const database = await fx.database(backend)
    const bot = await boot(tg, { ...testEnv(tg, database, "webhook"), LOG_LEVEL: "info" })
    const learner = processLearner(tg, bot.port, LEARNER)
    await learner.signIn((t) => t.startsWith("👋 Привет"))
    // Two steps read the chat as stored after the sign-in: the next one is reduced from this instance's copy.
    await learner.send("/help")
    await learner.waitForTexts("the help", (t) => t.startsWith("ℹ️ Команды"))
    await learner.send("/whoami")
    await learner.waitForTexts("the role", (t) => t.startsWith("👤 Кто ты для бота"))

    // A learner's next message comes after the chat's lease went back (every 20 ms): the chat is free.
    await Bun.sleep(200)
    tg.delayNext("sendMessage", 20_000)
    await learner.send("/faq")
    await bot.killWhileSending()
    await learner.waitForTexts("the FAQ", (t) => t.startsWith("❓ Частые вопросы"))
    await bot.stop()

    const shown = learner.screen().map((m) => m.text ?? "")
    expect(shown.filter((t) => t.startsWith("❓ Частые вопросы"))).toHaveLength(1)
    const [row] = (await rowsOf(database, LEARNER, "update")).slice(-1)
    // Saved in the commit that stored it (one transaction, one now()), and never reduced again.
    expect(row!.reduced_at?.getTime()).toBe(row!.received_at.getTime())
    expect(row!.processed_at).not.toBeNull()
    expect(row!.attempts).toBe(0)
  })

  test("mid-dialogue: the persona's answer, saved by the statement that settled its work, in flight when the process dies → sent once by the next start", async () => {
    const tg = await fx.botApi()
    const ai = startFakeOpenAi()
    fx.onTeardown(() => ai.stop())
    scriptRoleplay(ai, spec, [{ reply: "Ну, бывает." }, { reply: "Допустим, сорвал." }])
    const database = await fx.database(backend)
    const bot = await boot(tg, { ...testEnv(tg, database, "webhook", ai), LOG_LEVEL: "info" })
    const learner = processLearner(tg, bot.port, LEARNER + 1)
    await learner.signIn((t) => t.startsWith("👋 Привет"))
    await learner.send(`/${spec.commands.start}`)
    await learner.waitForTexts("the case's algorithm", (t) => t === visibleText(spec.texts.algorithm))
    await learner.send("Привет, давай поговорим о сроках.")
    await learner.waitForTexts("the first answer", isPersonaLine)

    // The model takes a moment, as a real one does: when its answer comes, the chat's lease has gone back.
    ai.setLatency(300)
    await Bun.sleep(200)
    tg.delayNext("sendMessage", 20_000)
    await learner.send("Отчёт опоздал на два дня.")
    await bot.killWhileSending()
    await learner.waitForTexts("the second answer", isPersonaLine, 2)
    await bot.stop()

    const shown = learner.screen().map((m) => m.text ?? "")
    expect(shown.filter((t) => t.includes("Допустим, сорвал."))).toHaveLength(1)
    // The line and the answer: each saved in the commit that stored it, and never reduced again.
    const [line] = (await rowsOf(database, LEARNER + 1, "update")).slice(-1)
    const [answer] = (await rowsOf(database, LEARNER + 1, "event")).slice(-1)
    for (const row of [line!, answer!]) {
      expect(row.reduced_at?.getTime()).toBe(row.received_at.getTime())
      expect(row.processed_at).not.toBeNull()
      expect(row.attempts).toBe(0)
    }
  })
})
