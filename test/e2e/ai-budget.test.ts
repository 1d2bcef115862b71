import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test"
import { adminTexts } from "../../src/admin/texts"
import { kernelTexts } from "../../src/cases/kernel/texts"
import { cases } from "../../src/cases/registry"
import { visibleText } from "../../src/core/html"
import { personaRequest, reviewOf, reviewRequest, scriptRoleplay } from "../support/ai-script"
import { type Backend, backends } from "../support/database"
import { signIn, startBot, type TestBot, type TestUser, textsOf } from "../support/harness"
import { voiceNote } from "../support/voice-note"

// Each file boots the real app; bun applies setDefaultTimeout only to the file that calls it.
setDefaultTimeout(30_000)

const spec = cases[0]!
const personaPrefix = `${spec.persona.emoji} ${spec.persona.name}:`

const startCase = async (user: TestUser) => {
  expect(textsOf(await user.send(`/${spec.commands.start}`))).toEqual([visibleText(spec.texts.algorithm)])
}

/** Signs the learner in, opens the case, and sends two lines the persona answers («Раз.», «Два.»): 4 AI calls. */
const twoLinesAnswered = async (user: TestUser) => {
  await signIn(user)
  await startCase(user)
  expect(textsOf(await user.send("Первая"))[0]).toStartWith(`${personaPrefix} Раз.`)
  expect(textsOf(await user.send("Вторая"))[0]).toStartWith(`${personaPrefix} Два.`)
}

/** A bot with a daily budget of `turns` AI calls whose persona answers «Раз.», «Два.», «Три.», then a review. */
const scriptedBot = async (backend: Backend, turns: number) => {
  const bot = await startBot({ backend, env: { AI_DAILY_TURNS_PER_USER: String(turns) } })
  scriptRoleplay(bot.ai, spec, [{ reply: "Раз." }, { reply: "Два." }, { reply: "Три." }], reviewOf(spec, []))
  return bot
}

const callsToday = async (bot: TestBot, userId: number) =>
  (
    await bot.app.db
      .selectFrom("user_limits")
      .select("ai_calls")
      .where("user_id", "=", userId)
      .executeTakeFirst()
  )?.ai_calls ?? 0

describe.each(backends)("the daily AI budget (%s)", (backend) => {
  let bot: TestBot
  afterEach(async () => bot?.stop())

  test("every upstream call counts (a malformed answer, the judge, a transcription, the persona, its voice); over budget nothing is asked", async () => {
    bot = await startBot({
      backend,
      env: { AI_DAILY_TURNS_PER_USER: "6", VOICE_REPLIES: "true", TRANSCRIBE_MAX_RETRIES: "0" },
    })
    scriptRoleplay(bot.ai, spec, [{ reply: "Слышу тебя." }], reviewOf(spec, []))
    const user = bot.user(2201)
    await signIn(user)
    await startCase(user)
    bot.ai.failNext({ kind: "malformed" }, 2, personaRequest)
    expect(textsOf(await user.send("Первая реплика"))).toEqual([
      visibleText(kernelTexts.personaUnavailable(spec)),
    ])
    const heard = textsOf(await user.sendUpdate(voiceNote(bot, user, { fileId: "budget-voice-1" }).update))
    expect(heard.some((t) => t.startsWith(`${personaPrefix} Слышу тебя.`))).toBe(true)
    // The persona's voice note is made after its text: wait until it is sent and its call recorded too.
    await bot.tg.waitFor("sendVoice", (c) => c.status === 200)
    await bot.app.whenIdle()

    const asked = bot.ai.requests.length
    const downloads = bot.tg.callsOf("getFile").length
    expect(textsOf(await user.send("Вторая реплика"))).toEqual([kernelTexts.dailyLimitKept])
    expect(textsOf(await user.sendUpdate(voiceNote(bot, user, { fileId: "budget-voice-2" }).update))).toEqual(
      [kernelTexts.dailyLimitVoice],
    )
    const review = textsOf(await user.send(kernelTexts.buttons.analysis))
    expect(review).toContain(kernelTexts.dailyLimit)
    expect(bot.ai.requests.length).toBe(asked)
    expect(bot.tg.callsOf("getFile").length).toBe(downloads)
    const rows = await bot.app.db
      .selectFrom("ai_calls")
      .select(["channel", "outcome"])
      .where("user_id", "=", user.id)
      .orderBy("id")
      .execute()
    expect(await callsToday(bot, user.id)).toBe(6)
    // The persona and the judge of one line run side by side: their order within a line is not fixed.
    const byLine = (from: number, to: number) =>
      rows.slice(from, to).sort((a, b) => a.channel.localeCompare(b.channel))
    expect(byLine(0, 2)).toEqual([
      { channel: "dialogue", outcome: "malformed" },
      { channel: "judge", outcome: "ok" },
    ])
    expect(rows[2]).toEqual({ channel: "transcription", outcome: "ok" })
    expect(byLine(3, 5)).toEqual([
      { channel: "dialogue", outcome: "ok" },
      { channel: "judge", outcome: "ok" },
    ])
    expect(rows[5]).toEqual({ channel: "speech", outcome: "ok" })
    expect(rows).toHaveLength(6)
  })

  test("work whose calls do not all fit in what is left is not started: a budget of 5 is never passed", async () => {
    bot = await scriptedBot(backend, 5)
    const typing = bot.user(2204)
    await twoLinesAnswered(typing)
    await bot.app.whenIdle()
    expect(await callsToday(bot, typing.id)).toBe(4)
    const asked = bot.ai.requests.length
    // One call left; the review asks three samples at once.
    expect(textsOf(await typing.send(kernelTexts.buttons.analysis))).toContain(kernelTexts.dailyLimit)
    await bot.app.whenIdle()
    expect(bot.ai.requests.length).toBe(asked)
    expect(await callsToday(bot, typing.id)).toBe(4)

    // By voice: a note costs its transcription, then the persona and the judge (3); the second note needs three
    // more and is refused before it is heard (hearing it would spend a call on a line that cannot be answered).
    const speaking = bot.user(2205)
    await signIn(speaking)
    await startCase(speaking)
    const first = textsOf(
      await speaking.sendUpdate(voiceNote(bot, speaking, { fileId: "fit-voice-1" }).update),
    )
    expect(first.some((t) => t.startsWith(personaPrefix))).toBe(true)
    await bot.app.whenIdle()
    const second = textsOf(
      await speaking.sendUpdate(voiceNote(bot, speaking, { fileId: "fit-voice-2" }).update),
    )
    expect(second).toContain(kernelTexts.dailyLimitVoice)
    await bot.app.whenIdle()
    expect(await callsToday(bot, speaking.id)).toBe(3)
  })

  test("/forget_me does not give the budget back", async () => {
    // Two lines, each asking the persona and the judge.
    bot = await startBot({ backend, env: { AI_DAILY_TURNS_PER_USER: "4" } })
    const script = scriptRoleplay(bot.ai, spec, [{ reply: "Раз." }, { reply: "Два." }, { reply: "Три." }])
    const user = bot.user(2202)
    await twoLinesAnswered(user)
    await user.send("/forget_me")
    expect(textsOf((await user.press(adminTexts.forgetYes)).messages).at(-1)).toBe(adminTexts.forgetDone)
    await signIn(user)
    await startCase(user)
    expect(textsOf(await user.send("Третья"))).toEqual([kernelTexts.dailyLimitKept])
    expect(script.personaCalls()).toBe(2)
  })

  test("a line over the daily cap is kept: the next day «🔁 Повторить» sends it, and the review has every line", async () => {
    bot = await scriptedBot(backend, 4)
    const user = bot.user(2205)
    await twoLinesAnswered(user)
    expect(textsOf(await user.send("Третья, важная"))).toEqual([kernelTexts.dailyLimitKept])
    // The next day (the counter starts again), and the day after for the review's three samples.
    const nextDay = () =>
      bot.app.db.updateTable("user_limits").set({ ai_calls: 0 }).where("user_id", "=", user.id).execute()
    await nextDay()
    const retried = textsOf((await user.press(kernelTexts.buttons.retry)).messages)
    expect(retried[0]).toStartWith(`${personaPrefix} Три.`)
    await nextDay()
    const finished = textsOf(await user.send(kernelTexts.buttons.analysis))
    expect(finished.some((t) => t.startsWith(`🎓 Разбор: ${spec.texts.title}`))).toBe(true)
    const review = bot.ai.requests.filter(reviewRequest)
    expect(review).toHaveLength(3)
    expect(JSON.stringify(review[0]!.body)).toContain("Третья, важная")
  })

  test("the review counts too: one line (persona + judge) and its review (three samples) spend a budget of 5; the next attempt's line is refused", async () => {
    bot = await startBot({ backend, env: { AI_DAILY_TURNS_PER_USER: "5" } })
    scriptRoleplay(bot.ai, spec, [{ reply: "Раз." }, { reply: "Два." }], reviewOf(spec, []))
    const user = bot.user(2203)
    await signIn(user)
    await startCase(user)
    expect(textsOf(await user.send("Первая"))[0]).toStartWith(`${personaPrefix} Раз.`)
    const finished = textsOf(await user.send(kernelTexts.buttons.analysis))
    expect(finished.some((t) => t.startsWith(`🎓 Разбор: ${spec.texts.title}`))).toBe(true)
    expect(await callsToday(bot, user.id)).toBe(5)
    await user.send(`/${spec.commands.start}`)
    expect(textsOf(await user.send("Вторая"))).toEqual([kernelTexts.dailyLimitKept])
  })
})
