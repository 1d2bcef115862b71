import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test"
import { sql } from "kysely"
import { authTexts } from "../../src/auth/texts"
import { kernelTexts } from "../../src/cases/kernel/texts"
import { cases } from "../../src/cases/registry"
import { visibleText } from "../../src/core/html"
import { scriptRoleplay } from "../support/ai-script"
import { backends } from "../support/database"
import { signIn, startBot, type TestBot } from "../support/harness"

setDefaultTimeout(30_000)

/** Whether the update's step was saved by the statement that stored it: one transaction, so one `now()`. */
const reducedAtReceipt = async (bot: TestBot, chatId: number) => {
  const row = await bot.app.db
    .selectFrom("update_inbox")
    .select(["received_at", "reduced_at", "processed_at"])
    .where("chat_id", "=", chatId)
    .where("kind", "=", "update")
    .orderBy("id", "desc")
    .executeTakeFirstOrThrow()
  expect(row.processed_at).not.toBeNull()
  return row.reduced_at?.getTime() === row.received_at.getTime()
}

const counted = async (bot: TestBot, outcome: string) => {
  const text = await (await fetch(`${bot.opsUrl}/metrics`)).text()
  const line = text
    .split("\n")
    .find((l) => l.startsWith(`bot_reduced_at_receipt_total{outcome="${outcome}"}`))
  return Number(line?.split(" ").at(-1) ?? 0)
}

const HELP = /^ℹ️ Команды/

/** A sum over /metrics of the series whose line starts with `prefix`. */
const summed = async (bot: TestBot, prefix: string) => {
  const text = await (await fetch(`${bot.opsUrl}/metrics`)).text()
  return text
    .split("\n")
    .filter((l) => l.startsWith(prefix))
    .reduce((sum, l) => sum + Number(l.split(" ").at(-1)), 0)
}

/** Rows processed; passes of the stages at receipt; passes of the load stage (the rows' own). */
const passes = async (bot: TestBot) => ({
  rows: await summed(bot, "bot_updates_total{"),
  atReceipt: await summed(bot, 'bot_pipeline_stage_seconds_count{stage="at_receipt"}'),
  loads: await summed(bot, 'bot_pipeline_stage_seconds_count{stage="load"}'),
})

describe.each(backends)("updates reduced at receipt (%s)", (backend) => {
  const bots: TestBot[] = []
  afterEach(async () => {
    await Promise.all(bots.splice(0).map((b) => b.stop()))
  })
  const boot = async () => {
    const bot = await startBot({ backend })
    bots.push(bot)
    return bot
  }

  test("a new chat's /start, then a signed-in chat's /help: steps saved in the commit that stored the update, each answered once", async () => {
    const bot = await boot()
    const user = bot.user(7101)
    const asked = await user.send("/start")
    expect(asked.map((m) => m.text ?? "")).toEqual([expect.stringMatching(/пароль/)])
    expect(await reducedAtReceipt(bot, 7101)).toBe(true)
    // The password goes the ordinary way: it is checked and scrubbed there, never at receipt.
    const welcome = await user.send("user-pass-1")
    expect(welcome.map((m) => m.text ?? "")).toContainEqual(expect.stringMatching(/^👋 Привет/))
    expect(await reducedAtReceipt(bot, 7101)).toBe(false)
    // The role the sign-in granted (a command's write) is not in the copy its step left: that guess is refused.
    expect((await user.send("/help")).map((m) => m.text ?? "")).toEqual([expect.stringMatching(HELP)])
    expect(await reducedAtReceipt(bot, 7101)).toBe(false)
    // From the copy the last step left, which read the role.
    const help = await user.send("/help")
    expect(help.map((m) => m.text ?? "")).toEqual([expect.stringMatching(HELP)])
    expect(await reducedAtReceipt(bot, 7101)).toBe(true)
    expect(await counted(bot, "saved")).toBe(2)
    expect(await counted(bot, "stored_plain")).toBe(1)
    // Passes at receipt are timed as such, not as loads: /start, the password (left at validation), two /help;
    // loads: the password and the /help whose guess was refused.
    expect(await passes(bot)).toEqual({ rows: 4, atReceipt: 4, loads: 2 })
    expect(bot.tg.chat(7101).filter((m) => HELP.test(m.text ?? ""))).toHaveLength(2)
  })

  test("mid-dialogue, a learner's line is saved at receipt with its work, the persona's reply with the statement that settles it: each once, nothing loaded", async () => {
    const bot = await boot()
    const spec = cases[0]!
    const lines = ["Ну, бывает.", "Допустим.", "Хорошо."]
    scriptRoleplay(
      bot.ai,
      spec,
      lines.map((reply) => ({ reply })),
    )
    const user = bot.user(7103)
    await signIn(user)
    await user.press(spec.texts.title)
    await user.press(kernelTexts.buttons.start)
    await user.send("Привет, давай поговорим о сроках.")
    // Answers that take a moment, as a model's do: by then the chat's lease has gone back, and the chat is free.
    bot.ai.setLatency(150)
    const before = await passes(bot)
    const refusedBefore = await counted(bot, "stored_plain")
    const asked = bot.ai.requests.length
    await user.send("Отчёт опоздал на два дня.")
    expect(await reducedAtReceipt(bot, 7103)).toBe(true)
    await user.send("Что тебе помешало?")
    expect(await reducedAtReceipt(bot, 7103)).toBe(true)
    await bot.app.whenIdle()
    const after = await passes(bot)
    // Two lines, two persona replies (events): all four reduced at receipt, none loaded as a row of its own.
    expect(after.rows - before.rows).toBe(4)
    expect(after.atReceipt - before.atReceipt).toBe(4)
    expect(after.loads - before.loads).toBe(0)
    expect(await counted(bot, "stored_plain")).toBe(refusedBefore)
    // Each line asked the AI (persona and judge) once, and its reply reached the chat once.
    expect(bot.ai.requests.length - asked).toBe(4)
    for (const line of lines)
      expect(bot.tg.chat(7103).filter((m) => (m.text ?? "").includes(line))).toHaveLength(1)
    const work = await bot.app.db.selectFrom("background_work").select("id").execute()
    expect(work).toEqual([])
  })

  test("a chat changed behind the bot's back → the guess is refused, the update answered from the stored chat, once", async () => {
    const bot = await boot()
    const user = bot.user(7102)
    await signIn(user)
    // Another instance (or the nightly clean-up) moved the session on: this bot's copy is stale.
    await sql`update chat_sessions set version = version + 1 where chat_id = 7102`.execute(bot.app.db)
    const help = await user.send("/help")
    expect(help.map((m) => m.text ?? "")).toEqual([expect.stringMatching(HELP)])
    expect(await reducedAtReceipt(bot, 7102)).toBe(false)
    expect(await counted(bot, "stored_plain")).toBe(1)
    // An admin took the role away meanwhile: the copy still has it, the stored chat does not.
    await sql`delete from authorized_users where user_id = 7102`.execute(bot.app.db)
    const refused = await user.send("/faq")
    expect(refused.map((m) => m.text ?? "")).toEqual([visibleText(authTexts.needLogin)])
    expect(await reducedAtReceipt(bot, 7102)).toBe(false)
    expect(await counted(bot, "stored_plain")).toBe(2)
    // The chat as it is now is the copy from here on: the next update is reduced at receipt again.
    expect((await user.send("/faq")).map((m) => m.text ?? "")).toEqual([visibleText(authTexts.needLogin)])
    expect(await reducedAtReceipt(bot, 7102)).toBe(true)
    expect(bot.tg.chat(7102).filter((m) => HELP.test(m.text ?? ""))).toHaveLength(1)
  })
})
