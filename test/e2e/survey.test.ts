import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test"
import { kernelTexts } from "../../src/cases/kernel/texts"
import { cases } from "../../src/cases/registry"
import { visibleText } from "../../src/core/html"
import { texts } from "../../src/nav/texts"
import { SURVEY_QUESTIONS } from "../../src/survey/reducer"
import { surveyTexts } from "../../src/survey/texts"
import { reviewOf, scriptRoleplay } from "../support/ai-script"
import { backends } from "../support/database"
import { inlineButtons, type SentMessage } from "../support/fake-bot-api"
import { signIn, startBot, type TestBot, type TestUser, textsOf } from "../support/harness"

// Each file boots the real app; bun applies setDefaultTimeout only to the file that calls it.
setDefaultTimeout(30_000)

const AI_ENV = { AI_REQUEST_TIMEOUT_SEC: "2", AI_REQUEST_MAX_RETRIES: "1" }

const ratings = async (bot: TestBot, userId: number) =>
  Object.fromEntries(
    (
      await bot.app.db
        .selectFrom("bot_ratings")
        .select(["question", "rating"])
        .where("user_id", "=", userId)
        .execute()
    ).map((r) => [r.question, r.rating]),
  )

const comments = async (bot: TestBot, userId: number) =>
  (
    await bot.app.db
      .selectFrom("rating_comments")
      .select("comment")
      .where("user_id", "=", userId)
      .orderBy("id")
      .execute()
  ).map((r) => r.comment)

const invites = async (bot: TestBot, userId: number) =>
  (await bot.app.db.selectFrom("rating_invites").selectAll().where("user_id", "=", userId).execute()).length

/** The 1..10 scale of question q (0-based): two rows of five, then the menu button. */
/** The scale of question `q` on the survey's run `run`; `current` marks the answer given before. */
const scaleOf = (q: number, run = 1, current?: number) => [
  ...Array.from({ length: 10 }, (_, i) => ({
    text: i + 1 === current ? surveyTexts.current(i + 1) : String(i + 1),
    callback_data: `rate:${run}:${q}:${i + 1}`,
  })),
  { text: texts.buttons.menu, callback_data: "nav:menu" },
]

const questionText = (q: number) =>
  visibleText(`${surveyTexts.progress(q + 1, SURVEY_QUESTIONS.length)}\n\n${surveyTexts.questions[q]}`)

/** Plays one case to the end (every component covered in two lines) so the user has a reviewed attempt. */
const finishOneCase = async (bot: TestBot, user: TestUser) => {
  const spec = cases[0]!
  const keys = spec.methodology.components.map((c) => c.key)
  scriptRoleplay(
    bot.ai,
    spec,
    [
      { reply: "Ну, бывает.", covered: keys.slice(0, 2) },
      { reply: "Ладно, договорились.", covered: keys.slice(2) },
      { reply: "До встречи." },
    ],
    reviewOf(spec, keys),
  )
  await user.send(`/${spec.commands.start}`)
  await user.send("Первая реплика")
  await user.send("Вторая реплика")
  // Every step heard: one closing line, then the review.
  const last = textsOf(await user.send("Спасибо, до встречи"))
  expect(last[2]).toStartWith(`🎓 Разбор: ${spec.texts.title}`)
}

const isInvite = (m: SentMessage) => m.text === visibleText(surveyTexts.invite)

describe.each(backends)("bot survey end to end (%s)", (backend) => {
  let bot: TestBot
  afterEach(async () => bot?.stop())

  test("without a reviewed attempt the survey is locked: the menu message is edited, nothing stored", async () => {
    bot = await startBot({ backend, env: AI_ENV })
    const user = bot.user(801)
    await signIn(user)
    const pressed = await user.press(texts.buttons.rate)
    expect(pressed.answer?.params.show_alert).toBeUndefined()
    expect(textsOf(pressed.messages)).toEqual([visibleText(surveyTexts.locked)])
    expect(pressed.messages[0]!.edits).toBe(1)
    expect(inlineButtons(pressed.messages[0]!).map((b) => b.text)).toEqual([texts.buttons.menu])
    expect(await ratings(bot, 801)).toEqual({})
    expect(await comments(bot, 801)).toEqual([])
    expect(await invites(bot, 801)).toBe(0)
  })

  test("finish a case → one invite → 3 questions → comment stored → flow back to normal; re-take overwrites; skip", async () => {
    bot = await startBot({ backend, env: AI_ENV })
    const user = bot.user(802)
    await signIn(user)
    await finishOneCase(bot, user)
    expect(user.screen().filter(isInvite)).toHaveLength(1)
    expect(await invites(bot, 802)).toBe(1)

    const answersBefore = bot.tg.callsOf("answerCallbackQuery").length
    let presses = 0
    const press = async (button: string) => {
      presses++
      const pressed = await user.press(button)
      expect(pressed.answer).toBeDefined()
      expect(pressed.answer?.params.show_alert).toBeUndefined()
      return pressed
    }

    const opened = await press(texts.buttons.rate)
    expect(textsOf(opened.messages)).toEqual([`${visibleText(surveyTexts.intro)}\n\n${questionText(0)}`])
    // The invite itself turns into question 1 (edited in place), with the 1..10 scale.
    expect(isInvite(opened.messages[0]!)).toBe(false)
    expect(opened.messages[0]!.edits).toBe(1)
    expect(inlineButtons(opened.messages[0]!)).toEqual(scaleOf(0))
    expect(await ratings(bot, 802)).toEqual({})

    const second = await press("8")
    // The choice is confirmed twice: a toast on the button and a line above the next question.
    expect(second.answer?.params.text).toBe(surveyTexts.savedToast(8))
    expect(textsOf(second.messages)).toEqual([`${surveyTexts.saved(8)}\n\n${questionText(1)}`])
    expect(inlineButtons(second.messages[0]!)).toEqual(scaleOf(1))
    expect(await ratings(bot, 802)).toEqual({ overall_impression: 8 })

    const third = await press("9")
    expect(textsOf(third.messages)).toEqual([`${surveyTexts.saved(9)}\n\n${questionText(2)}`])
    expect(inlineButtons(third.messages[0]!)).toEqual(scaleOf(2))
    expect(await ratings(bot, 802)).toEqual({ overall_impression: 8, recommend_to_colleagues: 9 })

    const ask = await press("10")
    expect(textsOf(ask.messages)).toEqual([`${surveyTexts.saved(10)}\n\n${surveyTexts.askComment}`])
    expect(inlineButtons(ask.messages[0]!).map((b) => b.text)).toEqual([surveyTexts.skip, texts.buttons.menu])
    expect(await ratings(bot, 802)).toEqual({
      overall_impression: 8,
      recommend_to_colleagues: 9,
      will_help_at_work: 10,
    })

    const thanks = await user.send("Полезно, но хочется больше кейсов")
    expect(textsOf(thanks)).toEqual([surveyTexts.thanksComment])
    expect(inlineButtons(thanks[0]!).map((b) => b.text)).toContain(texts.buttons.rate)
    expect(await comments(bot, 802)).toEqual(["Полезно, но хочется больше кейсов"])

    // Back to normal: free text is no longer taken as a comment.
    const free = await user.send("просто текст")
    expect(textsOf(free)).toEqual([texts.fallback])
    expect(await comments(bot, 802)).toEqual(["Полезно, но хочется больше кейсов"])

    // Re-taking the survey from the menu shows the answers given before and marks the current one on the scale;
    // new answers overwrite them; «Пропустить» ends without a comment.
    const reopened = await press(texts.buttons.rate)
    const previous = surveyTexts.previous([
      "Общее впечатление — 8",
      "Посоветуешь коллегам — 9",
      "Поможет в работе — 10",
    ])
    expect(textsOf(reopened.messages)).toEqual([
      visibleText(`${surveyTexts.intro}\n\n${previous}\n\n${questionText(0)}`),
    ])
    // The first round ended with its last answer (run 2 from then on); reopening is round 3.
    expect(inlineButtons(reopened.messages[0]!)).toEqual(scaleOf(0, 3, 8))
    await press("3")
    await press("4")
    await press("5")
    const skipped = await press(surveyTexts.skip)
    expect(textsOf(skipped.messages)).toEqual([visibleText(surveyTexts.thanks)])
    expect(skipped.messages[0]!.edits).toBeGreaterThan(0)
    expect(inlineButtons(skipped.messages[0]!).map((b) => b.text)).toContain(texts.buttons.rate)
    expect(await ratings(bot, 802)).toEqual({
      overall_impression: 3,
      recommend_to_colleagues: 4,
      will_help_at_work: 5,
    })
    const rows = await bot.app.db.selectFrom("bot_ratings").selectAll().where("user_id", "=", 802).execute()
    expect(rows).toHaveLength(3)
    expect(await comments(bot, 802)).toEqual(["Полезно, но хочется больше кейсов"])
    expect(textsOf(await user.send("ещё текст"))).toEqual([texts.fallback])
    expect(await comments(bot, 802)).toHaveLength(1)

    // Every callback of the flow was answered exactly once (no endless spinner on the button).
    const answered = bot.tg.callsOf("answerCallbackQuery").slice(answersBefore)
    expect(answered).toHaveLength(presses)
    expect(new Set(answered.map((c) => c.params.callback_query_id)).size).toBe(presses)
    expect(answered.every((c) => c.status === 200)).toBe(true)

    // The invite was never sent again.
    expect(bot.tg.callsOf("sendMessage").filter((c) => c.params.text === surveyTexts.invite)).toHaveLength(1)
    expect(await invites(bot, 802)).toBe(1)
  })

  test("forged survey buttons (question 7, value 11 or 0, the old rate:q:v form) get the stale-button alert and store nothing", async () => {
    bot = await startBot({ backend, env: AI_ENV })
    const user = bot.user(803)
    await signIn(user)
    await finishOneCase(bot, user)
    await user.press(texts.buttons.rate)
    for (const data of ["rate:1:7:5", "rate:1:1:11", "rate:1:0:0", "rate:1:3:5", "rate:0:5"]) {
      const forged = await user.pressData(data, user.lastMessageId())
      expect(forged.answer?.params).toMatchObject({ text: texts.staleButton, show_alert: true })
      expect(forged.messages).toEqual([])
    }
    expect(await ratings(bot, 803)).toEqual({})
    // The real buttons still work afterwards.
    await user.press("7")
    expect(await ratings(bot, 803)).toEqual({ overall_impression: 7 })
  })

  test("a finished round's button is stale: it cannot overwrite the answers it ended with", async () => {
    bot = await startBot({ backend, env: AI_ENV })
    const user = bot.user(808)
    await signIn(user)
    await finishOneCase(bot, user)
    const round = (await user.press(texts.buttons.rate)).messages[0]!
    await user.press("5")
    await user.press("6")
    await user.press("7")
    await user.press(surveyTexts.skip)
    const stale = await user.pressData("rate:1:0:1", round.message_id)
    expect(stale.answer?.params).toMatchObject({ text: surveyTexts.staleRun, show_alert: true })
    expect(await ratings(bot, 808)).toEqual({
      overall_impression: 5,
      recommend_to_colleagues: 6,
      will_help_at_work: 7,
    })
  })

  test("an answer from an earlier opening of the survey does not overwrite a newer one", async () => {
    bot = await startBot({ backend, env: AI_ENV })
    const user = bot.user(807)
    await signIn(user)
    await finishOneCase(bot, user)
    const first = (await user.press(texts.buttons.rate)).messages[0]!
    await user.press("9")
    // Opened again from a fresh menu: a second run; the first run's message still shows question 2.
    await user.send("/start")
    await user.press(texts.buttons.rate)
    await user.press("4")
    expect(await ratings(bot, 807)).toEqual({ overall_impression: 4 })
    const stale = await user.pressData("rate:1:1:2", first.message_id)
    expect(stale.answer?.params).toMatchObject({ text: surveyTexts.staleRun, show_alert: true })
    expect(stale.messages).toEqual([])
    const staleFirst = await user.pressData("rate:1:0:10", first.message_id)
    expect(staleFirst.answer?.params).toMatchObject({ text: surveyTexts.staleRun, show_alert: true })
    expect(await ratings(bot, 807)).toEqual({ overall_impression: 4 })
  })

  test("the invite is not sent again after a second finished case", async () => {
    bot = await startBot({ backend, env: AI_ENV })
    const user = bot.user(804)
    await signIn(user)
    await finishOneCase(bot, user)
    await user.press(kernelTexts.buttons.tryAgain)
    await finishOneCase(bot, user)
    expect(user.screen().filter(isInvite)).toHaveLength(1)
    expect(await invites(bot, 804)).toBe(1)
  })

  test("a survey answer from a user without a reviewed attempt → refused with an alert, nothing stored", async () => {
    bot = await startBot({ backend, env: AI_ENV })
    const user = bot.user(805)
    await signIn(user)
    const forged = await user.pressData("rate:0:0:5", user.lastMessageId())
    expect(await ratings(bot, 805)).toEqual({})
    expect(forged.answer?.params).toMatchObject({ show_alert: true })
  })

  test("the old invite pressed during a dialogue → an alert; the dialogue goes on untouched", async () => {
    bot = await startBot({ backend, env: AI_ENV })
    const user = bot.user(806)
    await signIn(user)
    await finishOneCase(bot, user)
    const invite = user.screen().find(isInvite)!
    await user.press(kernelTexts.buttons.tryAgain)
    const spec = cases[0]!
    const personaPrefix = `${spec.persona.emoji} ${spec.persona.name}:`
    expect(textsOf(await user.send("Реплика в новой попытке"))[0]).toStartWith(personaPrefix)
    const pressed = await user.pressData("rate:open", invite.message_id)
    expect(pressed.answer?.params).toMatchObject({ text: surveyTexts.busy, show_alert: true })
    expect(pressed.messages).toEqual([])
    const line = await user.send("Продолжаю разговор с собеседником")
    expect(await comments(bot, 806)).toEqual([])
    expect(textsOf(line)[0]).toStartWith(personaPrefix)
  })
})
