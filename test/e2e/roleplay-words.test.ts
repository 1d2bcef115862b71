import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test"
import { sql } from "kysely"
import { kernelTexts as t } from "../../src/cases/kernel/texts"
import { cases } from "../../src/cases/registry"
import type { Review } from "../../src/core/ai-reply"
import { visibleText } from "../../src/core/html"
import { historyTexts } from "../../src/nav/history-texts"
import { texts as appTexts } from "../../src/nav/texts"
import {
  judgeAnswerOf,
  judgedLine,
  personaRequest,
  requestsNamed,
  reviewOf,
  reviewRequest,
  type ScriptedTurn,
  schemaName,
} from "../support/ai-script"
import { caseStats } from "../support/case-stats"
import { backends, type FreshDatabase, freshDatabase } from "../support/database"
import { type FakeBotApi, inlineButtons, startFakeBotApi } from "../support/fake-bot-api"
import { type FakeOpenAi, type RecordedRequest, startFakeOpenAi } from "../support/fake-openai"
import { signIn, startBot, type TestBot, type TestUser, textsOf } from "../support/harness"
import { makeOggOpus } from "../support/ogg-opus"
import { messageUpdate, textUpdate } from "../support/updates"
import { waitFor } from "../support/wait"

// Each file boots the real app; bun applies setDefaultTimeout only to the file that calls it.
setDefaultTimeout(60_000)

/**
 * What the learner sees when their words are at stake: «📊 Получить анализ» pressed while the persona is still
 * answering, and a start (/start, another case) over a running dialogue.
 */

const spec = cases[0]!
const other = cases[1]!
const keys = spec.methodology.components.map((c) => c.key)
const personaPrefix = `${spec.persona.emoji} ${spec.persona.name}:`
const question = visibleText(t.leave.question(spec))

const reviewRequests = (ai: FakeOpenAi) => requestsNamed(ai, "review")
const personaRequests = (ai: FakeOpenAi) => requestsNamed(ai, "persona_reply")
/** The dialogue the reviewer was given (a JSON array of {speaker, text} in the last message), one line each. */
const reviewerSaw = (r: RecordedRequest) => {
  const { messages } = r.body as { messages: Array<{ content: string }> }
  const lines = JSON.parse(messages.at(-1)?.content ?? "[]") as Array<{ speaker: string; text: string }>
  return lines.map((l) => `${l.speaker}: ${l.text}`).join("\n")
}

/**
 * Like scriptRoleplay, but while `hold()` is in force the persona's answers wait until `release()`: the model is
 * still thinking when the learner presses a button. The judge answers at once.
 */
const scriptHeld = (ai: FakeOpenAi, turns: ReadonlyArray<ScriptedTurn>, review: Review) => {
  let next = 0
  let judged = 0
  let gate: Promise<void> | null = null
  let open = () => {}
  ai.setResponder(async (request) => {
    if (schemaName(request) === "review") return review
    if (schemaName(request) === "judge_line")
      return judgeAnswerOf(spec, judgedLine(request), turns[judged++]?.covered ?? [])
    const turn = turns[next++] ?? { reply: "Понятно.", covered: [] }
    if (gate) await gate
    return { reply: turn.reply }
  })
  return {
    hold: () => {
      gate = new Promise((resolve) => {
        open = resolve
      })
    },
    release: () => {
      gate = null
      open()
    },
  }
}

/** Sends a text the way Telegram does, without waiting for the bot to go idle (an AI call may be held). */
const deliverText = (bot: TestBot, user: TestUser, text: string) =>
  bot.deliver(
    textUpdate(text, {
      chatId: user.id,
      userId: user.id,
      firstName: "Аня",
      messageId: bot.tg.nextUserMessageId(user.id),
    }),
  )

const screenTexts = (user: TestUser) => textsOf(user.screen())
const seen = (user: TestUser, text: string) => () => screenTexts(user).includes(text)
const personaLines = (user: TestUser) => screenTexts(user).filter((x) => x.startsWith(personaPrefix))
const reviewShown = (user: TestUser) => () => screenTexts(user).some((x) => x.startsWith("🎓 Разбор"))

const attempts = (bot: TestBot, userId: number) =>
  bot.app.db
    .selectFrom("case_attempts")
    .select(["case_id", "outcome", "turns", "transcript"])
    .where("user_id", "=", userId)
    .orderBy("id")
    .execute()

const stats = (bot: TestBot, userId: number) => caseStats(bot.app.db, userId)

/** Signs in, starts the case and says one line the persona answers at once. */
const oneTurnIn = async (user: TestUser) => {
  await signIn(user)
  await user.send(`/${spec.commands.start}`)
  expect(textsOf(await user.send("Добрый день, есть минута?"))[0]).toStartWith(`${personaPrefix} Слушаю.`)
}

describe.each(backends)("«📊 Получить анализ» while the persona is still answering (%s)", (backend) => {
  let bot: TestBot
  afterEach(async () => bot?.stop())

  test("the line sent just before is answered, shown and in the review; pressing twice asks once", async () => {
    bot = await startBot({ backend })
    const user = bot.user(2101)
    const script = scriptHeld(
      bot.ai,
      [{ reply: "Слушаю." }, { reply: "Сроки сорвал поставщик, я не успел." }],
      reviewOf(spec, keys.slice(0, 2)),
    )
    await oneTurnIn(user)
    script.hold()
    await deliverText(bot, user, "Почему отчёт опоздал на два дня?")
    await waitFor("the persona asked about the second line", () => personaRequests(bot.ai).length === 2)
    await deliverText(bot, user, t.buttons.analysis)
    const waiting = visibleText(t.finishAfterAnswer(spec))
    await waitFor("the learner told the review waits", seen(user, waiting))
    await deliverText(bot, user, t.buttons.analysis)
    await waitFor("told again", () => screenTexts(user).filter((x) => x === waiting).length === 2)
    expect(reviewRequests(bot.ai)).toHaveLength(0)

    script.release()
    await waitFor("the review", reviewShown(user))
    await bot.app.whenIdle()
    const after = screenTexts(user).slice(screenTexts(user).lastIndexOf(waiting) + 1)
    expect(after[0]).toStartWith(`${personaPrefix} Сроки сорвал поставщик, я не успел.`)
    expect(after[1]).toBe(visibleText(t.manualFinish))
    expect(after[2]).toStartWith(`🎓 Разбор: ${spec.texts.title}`)
    expect(personaLines(user)).toHaveLength(2)
    // One review, of the whole dialogue: the late line and the persona's answer to it are in it.
    expect(reviewRequests(bot.ai)).toHaveLength(3) // REVIEW_SAMPLES
    expect(reviewerSaw(reviewRequests(bot.ai)[0]!)).toContain(
      `Почему отчёт опоздал на два дня?\n${spec.persona.name}: Сроки сорвал поставщик, я не успел.`,
    )
    expect(await attempts(bot, 2101)).toMatchObject([{ case_id: spec.id, outcome: "manual", turns: 2 }])
    expect(await stats(bot, 2101)).toEqual({ [`${spec.id}:started`]: 1, [`${spec.id}:completed`]: 1 })
  })

  test("the answer fails meanwhile → no retry: the review comes with the line unanswered, nothing lost", async () => {
    bot = await startBot({ backend, env: { AI_REQUEST_MAX_RETRIES: "0" } })
    const user = bot.user(2102)
    scriptHeld(bot.ai, [{ reply: "Слушаю." }], reviewOf(spec, []))
    await oneTurnIn(user)
    bot.ai.setLatency(1500)
    bot.ai.failNext({ kind: "status", status: 500 }, 1, personaRequest)
    await deliverText(bot, user, "Давай договоримся о новом сроке")
    await waitFor("the persona asked", () => personaRequests(bot.ai).length === 2)
    await deliverText(bot, user, t.buttons.analysis)
    await waitFor("the review", reviewShown(user))
    await bot.app.whenIdle()

    const screen = screenTexts(user)
    const from = screen.indexOf(visibleText(t.finishAfterAnswer(spec)))
    expect(from).toBeGreaterThan(0)
    expect(screen.slice(from + 1, from + 4)).toEqual([
      visibleText(t.finishUnanswered(spec)),
      visibleText(t.manualFinish),
      expect.stringMatching(/^🎓 Разбор: /),
    ])
    expect(user.screen().flatMap((m) => inlineButtons(m).map((b) => b.text))).not.toContain(t.buttons.retry)
    expect(reviewerSaw(reviewRequests(bot.ai)[0]!)).toContain(
      `Давай договоримся о новом сроке\n${spec.persona.name}: ${t.noAnswer}`,
    )
    const [saved] = await attempts(bot, 2102)
    expect(saved).toMatchObject({ outcome: "manual", turns: 2 })
    expect(
      (saved!.transcript as Array<{ learner: string; persona: string; covered: string[] }>).at(-1),
    ).toEqual({
      learner: "Давай договоримся о новом сроке",
      persona: "",
      covered: [],
    })
  })

  test("a voice line still being transcribed when analysis is pressed → heard, answered and in the review", async () => {
    bot = await startBot({ backend, env: { TRANSCRIBE_MAX_RETRIES: "0" } })
    const user = bot.user(2104)
    scriptHeld(bot.ai, [{ reply: "Слушаю." }, { reply: "Понял про голосовое." }], reviewOf(spec, []))
    bot.ai.scriptTranscription("Голосом: давай про сроки поговорим")
    await oneTurnIn(user)
    const bytes = makeOggOpus({ durationSec: 3 })
    bot.tg.addFile(bytes, { fileId: "late-voice", fileUniqueId: "late-voice-u" })
    bot.ai.failNext({ kind: "delay", ms: 1500 }, 1, "/audio/transcriptions")
    const voice = {
      file_id: "late-voice",
      file_unique_id: "late-voice-u",
      duration: 3,
      mime_type: "audio/ogg",
    }
    const messageId = bot.tg.nextUserMessageId(user.id)
    await bot.deliver(
      messageUpdate({ voice }, { chatId: user.id, userId: user.id, firstName: "Аня", messageId }),
    )
    await waitFor("the transcription asked", () => bot.ai.requestsTo("/audio/transcriptions").length === 1)
    await deliverText(bot, user, t.buttons.analysis)
    await waitFor("the learner told the review waits", seen(user, t.finishAfterVoice))
    await waitFor("the review", reviewShown(user))
    await bot.app.whenIdle()
    expect(personaLines(user).at(-1)).toStartWith(`${personaPrefix} Понял про голосовое.`)
    expect(reviewerSaw(reviewRequests(bot.ai)[0]!)).toContain("Голосом: давай про сроки поговорим")
    expect(await attempts(bot, 2104)).toMatchObject([{ outcome: "manual", turns: 2 }])
  })

  test("the daily limit stops a queued line meanwhile → it still goes into the review (tomorrow), unanswered", async () => {
    // Each line asks the persona and the judge: two lines spend the budget of four.
    bot = await startBot({ backend, env: { AI_DAILY_TURNS_PER_USER: "4" } })
    const user = bot.user(2103)
    const script = scriptHeld(
      bot.ai,
      [{ reply: "Слушаю." }, { reply: "Хорошо, слушаю дальше." }],
      reviewOf(spec, []),
    )
    await oneTurnIn(user)
    script.hold()
    await deliverText(bot, user, "Вторая реплика")
    await waitFor("the persona asked", () => personaRequests(bot.ai).length === 2)
    await deliverText(bot, user, "Третья реплика, уже сверх лимита")
    await deliverText(bot, user, t.buttons.analysis)
    await waitFor("the learner told the review waits", seen(user, visibleText(t.finishAfterAnswer(spec))))
    script.release()
    // The budget is spent (two lines): the review itself waits for tomorrow, nothing is lost meanwhile.
    await waitFor("the budget refusal", seen(user, t.dailyLimit))
    await bot.app.whenIdle()
    expect(personaLines(user).at(-1)).toStartWith(`${personaPrefix} Хорошо, слушаю дальше.`)
    expect(screenTexts(user)).toContain(visibleText(t.finishOverLimit(spec)))
    expect(reviewRequests(bot.ai)).toHaveLength(0)
    await bot.app.db.updateTable("user_limits").set({ ai_day: sql<string>`ai_day - 1` }).execute()
    await user.press(t.buttons.retryReview)
    await waitFor("the review", reviewShown(user))
    expect(reviewerSaw(reviewRequests(bot.ai)[0]!)).toContain(
      `Третья реплика, уже сверх лимита\n${spec.persona.name}: ${t.noAnswer}`,
    )
    expect(await attempts(bot, 2103)).toMatchObject([{ outcome: "manual", turns: 3 }])
  })
})

describe.each(backends)("a start over a running dialogue asks first (%s)", (backend) => {
  let bot: TestBot
  afterEach(async () => bot?.stop())

  const ask = async (user: TestUser, command: string) => {
    const shown = await user.send(command)
    expect(textsOf(shown)).toEqual([question])
    expect(inlineButtons(shown[0]!).map((b) => b.text)).toEqual([
      t.leave.buttons.stay,
      t.leave.buttons.finish,
      t.leave.buttons.drop,
    ])
    return shown[0]!
  }

  const results = async (user: TestUser) => textsOf((await user.press(appTexts.buttons.results)).messages)[0]!

  test("/start while the review is on its way → told it comes; the review arrives and the attempt is in the results", async () => {
    bot = await startBot({ backend })
    const user = bot.user(2209)
    scriptHeld(bot.ai, [{ reply: "Слушаю." }], reviewOf(spec, []))
    await oneTurnIn(user)
    bot.ai.failNext({ kind: "delay", ms: 1500 }, 1, reviewRequest)
    await deliverText(bot, user, t.buttons.analysis)
    await waitFor("the review asked", () => reviewRequests(bot.ai).length >= 1)
    await deliverText(bot, user, "/start")
    await waitFor("the learner told", seen(user, t.leave.reviewComing))
    await waitFor("the review", reviewShown(user))
    await bot.app.whenIdle()
    expect(await attempts(bot, 2209)).toMatchObject([{ outcome: "manual", turns: 1 }])
  })

  test("/start after the review failed → asked: the review again brings it; nothing dropped unasked", async () => {
    bot = await startBot({ backend, env: { AI_REQUEST_MAX_RETRIES: "0" } })
    const user = bot.user(2210)
    scriptHeld(bot.ai, [{ reply: "Слушаю." }], reviewOf(spec, []))
    await oneTurnIn(user)
    bot.ai.failNext({ kind: "status", status: 500 }, 3, reviewRequest) // every sample
    expect(textsOf(await user.send(t.buttons.analysis))).toContain(t.reviewUnavailable)
    const shown = await user.send("/start")
    expect(textsOf(shown)).toEqual([visibleText(t.leave.reviewQuestion(spec))])
    expect(inlineButtons(shown[0]!).map((b) => b.text)).toEqual([
      t.leave.buttons.review,
      t.leave.buttons.drop,
    ])
    const again = await user.press(t.leave.buttons.review)
    expect(textsOf(again.messages).some((x) => x.startsWith("🎓 Разбор"))).toBe(true)
    expect(await attempts(bot, 2210)).toMatchObject([{ outcome: "manual", turns: 1 }])
  })

  test("/start → continue: the question closes, the dialogue goes on with its history", async () => {
    bot = await startBot({ backend })
    const user = bot.user(2201)
    scriptHeld(bot.ai, [{ reply: "Слушаю." }, { reply: "Ну, давай." }], reviewOf(spec, []))
    await oneTurnIn(user)
    const asked = await ask(user, "/start")
    const stayed = await user.press(t.leave.buttons.stay)
    expect(textsOf(stayed.messages)).toEqual([t.leave.stayed])
    expect(stayed.messages[0]!.message_id).toBe(asked.message_id)
    expect(inlineButtons(stayed.messages[0]!)).toEqual([])
    const next = await user.send("Вернёмся к отчёту")
    expect(textsOf(next)[0]).toStartWith(`${personaPrefix} Ну, давай.`)
    expect(textsOf(next)[0]).toContain(`реплика 2 из ${spec.maxTurns}`)
    const history = (personaRequests(bot.ai).at(-1)!.body as { messages: Array<{ content: string }> })
      .messages
    expect(history.some((m) => m.content === "Добрый день, есть минута?")).toBe(true)
  })

  test("/start → finish: the review, counted like a manual finish, in «📈 Мои результаты»", async () => {
    bot = await startBot({ backend })
    const user = bot.user(2202)
    scriptHeld(bot.ai, [{ reply: "Слушаю.", covered: keys.slice(0, 1) }], reviewOf(spec, keys.slice(0, 1)))
    await oneTurnIn(user)
    await ask(user, "/start")
    const finished = textsOf((await user.press(t.leave.buttons.finish)).messages)
    expect(finished[0]).toBe(visibleText(t.leave.chosen(t.leave.buttons.finish)))
    expect(finished[1]).toBe(visibleText(t.manualFinish))
    expect(finished[2]).toStartWith(`🎓 Разбор: ${spec.texts.title}`)
    expect(await stats(bot, 2202)).toEqual({ [`${spec.id}:started`]: 1, [`${spec.id}:completed`]: 1 })
    expect(await attempts(bot, 2202)).toMatchObject([{ outcome: "manual", turns: 1 }])
    // The dialogue is over: /start now goes home without a question, and nothing is «остановлено».
    expect(textsOf(await user.send("/start"))).toEqual([visibleText(appTexts.welcome("Аня"))])
    const shown = await results(user)
    expect(shown).toContain(spec.texts.title)
    expect(shown).toContain(`${spec.texts.title} · 1 попытка · лучший результат 1 из 5`)
  })

  test("/start → drop: the home screen; the dialogue is gone and not in «📈 Мои результаты»", async () => {
    bot = await startBot({ backend })
    const user = bot.user(2203)
    scriptHeld(bot.ai, [{ reply: "Слушаю." }], reviewOf(spec, []))
    await oneTurnIn(user)
    await ask(user, "/start")
    const dropped = (await user.press(t.leave.buttons.drop)).messages
    expect(textsOf(dropped)).toEqual([
      visibleText(t.leave.chosen(t.leave.buttons.drop)),
      t.left,
      visibleText(appTexts.menu),
    ])
    expect(dropped[1]?.reply_markup).toEqual({ remove_keyboard: true })
    expect(await attempts(bot, 2203)).toEqual([])
    expect(await results(user)).toBe(visibleText(historyTexts.empty))
    // The dialogue is really gone: a line now gets the menu fallback, not the persona.
    expect(textsOf(await user.send("Алло?"))[0]).toBe(visibleText(appTexts.fallback))
  })

  test("another case's command → asked; drop starts that case; the older question's buttons are stale", async () => {
    bot = await startBot({ backend })
    const user = bot.user(2204)
    scriptHeld(bot.ai, [{ reply: "Слушаю." }], reviewOf(spec, []))
    await oneTurnIn(user)
    const first = await ask(user, "/start")
    await ask(user, `/${other.commands.start}`)
    const stale = await user.pressData(
      inlineButtons(first).find((b) => b.text === t.leave.buttons.drop)!.callback_data!,
    )
    expect(stale.answer?.params).toMatchObject({ text: appTexts.staleButton, show_alert: true })
    expect(stale.messages).toEqual([])
    const dropped = textsOf((await user.press(t.leave.buttons.drop)).messages)
    expect(dropped).toEqual([
      visibleText(t.leave.chosen(t.leave.buttons.drop)),
      visibleText(other.texts.algorithm),
    ])
    expect(await stats(bot, 2204)).toEqual({ [`${spec.id}:started`]: 1, [`${other.id}:started`]: 1 })
    // The answered question is spent as well.
    const again = await user.pressData(
      inlineButtons(first).find((b) => b.text === t.leave.buttons.finish)!.callback_data!,
    )
    expect(again.answer?.params).toMatchObject({ text: appTexts.staleButton, show_alert: true })
  })

  test("an old «🎬 Начать тренировку» of another case → asked; explicit exits still leave at once", async () => {
    bot = await startBot({ backend })
    const user = bot.user(2205)
    scriptHeld(bot.ai, [{ reply: "Слушаю." }], reviewOf(spec, []))
    await oneTurnIn(user)
    const old = await user.pressData(`case:${other.id}:start`)
    expect(old.answer?.params.show_alert).toBeUndefined()
    expect(textsOf(old.messages)).toEqual([question])
    const stopped = await user.send(`/${spec.commands.stop}`)
    expect(textsOf(stopped)).toEqual([visibleText(spec.texts.stopped)])
  })
})

describe.each(backends)("the question survives a restart of the bot (%s)", (backend) => {
  let tg: FakeBotApi
  let ai: FakeOpenAi
  let database: FreshDatabase
  let bot: TestBot | undefined
  afterEach(async () => {
    await bot?.stop()
    await tg?.stop()
    await ai?.stop()
    await database?.drop()
  })

  test("asked by one instance, answered «finish» on the next: the review of the same dialogue", async () => {
    tg = await startFakeBotApi()
    ai = startFakeOpenAi()
    database = await freshDatabase(backend)
    bot = await startBot({ backend, tg, ai, database })
    scriptHeld(ai, [{ reply: "Слушаю." }], reviewOf(spec, []))
    await oneTurnIn(bot.user(2301))
    expect(textsOf(await bot.user(2301).send(`/${other.commands.start}`))).toEqual([question])
    await bot.stop()

    bot = await startBot({ backend, tg, ai, database })
    const finished = textsOf((await bot.user(2301).press(t.leave.buttons.finish)).messages)
    expect(finished.slice(1, 3)).toEqual([visibleText(t.manualFinish), expect.stringMatching(/^🎓 Разбор: /)])
    expect(reviewerSaw(reviewRequests(ai)[0]!)).toContain("Добрый день, есть минута?")
    expect(await attempts(bot, 2301)).toMatchObject([{ case_id: spec.id, outcome: "manual", turns: 1 }])
  })
})
