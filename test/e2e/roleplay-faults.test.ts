import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test"
import type { CaseSpec } from "../../src/cases/kernel/spec"
import { kernelTexts } from "../../src/cases/kernel/texts"
import { cases } from "../../src/cases/registry"
import type { Review } from "../../src/core/ai-reply"
import { visibleText } from "../../src/core/html"
import { historyTexts } from "../../src/nav/history-texts"
import { texts as appTexts } from "../../src/nav/texts"
import { StartupError } from "../../src/startup"
import {
  personaRequest,
  requestsNamed,
  reviewOf,
  reviewRequest,
  type ScriptedTurn,
  scriptRoleplay,
} from "../support/ai-script"
import { caseStats } from "../support/case-stats"
import { backends } from "../support/database"
import { inlineButtons } from "../support/fake-bot-api"
import type { FakeOpenAi, RecordedRequest } from "../support/fake-openai"
import { signIn, startBot, type TestBot, type TestUser, textsOf } from "../support/harness"
import { textUpdate } from "../support/updates"

// Each file boots the real app; bun applies setDefaultTimeout only to the file that calls it.
setDefaultTimeout(30_000)

/**
 * Small AI limits keep every fault test to a few seconds (the harness already sets the retry backoff to 0); one
 * review sample keeps the request counts readable (sampling has its own tests).
 */
const AI_ENV = { AI_REQUEST_TIMEOUT_SEC: "2", AI_REQUEST_MAX_RETRIES: "1", REVIEW_SAMPLES: "1" }

const spec = cases[0]!
const keys = spec.methodology.components.map((c) => c.key)
const personaPrefix = `${spec.persona.emoji} ${spec.persona.name}:`
const unavailable = visibleText(kernelTexts.personaUnavailable(spec))

const startCase = async (user: TestUser) => {
  const shown = await user.send(`/${spec.commands.start}`)
  expect(textsOf(shown)).toEqual([visibleText(spec.texts.algorithm)])
}

/** The persona's requests (the judge's, sent beside each, are counted by their own tests). */
const personaAsked = (ai: FakeOpenAi) => requestsNamed(ai, "persona_reply")

/** The learner's line the request asked the model about (the last chat message). */
const lastUserLine = (r: RecordedRequest) =>
  (r.body as { messages: Array<{ role: string; content: string }> }).messages.at(-1)?.content

const personaLines = (user: TestUser) => textsOf(user.screen()).filter((t) => t.startsWith(personaPrefix))

const stats = (bot: TestBot, userId: number) => caseStats(bot.app.db, userId)

/** Every text the bot put in front of anyone: messages, edits, captions and callback alerts. */
const everythingSent = (bot: TestBot): string[] =>
  bot.tg.calls.flatMap((c) =>
    ["text", "caption"].flatMap((field) => (typeof c.params[field] === "string" ? [c.params[field]] : [])),
  )

const LEAKS = ["Error", "HTTP", "JSON", "undefined", "null", "NaN", "[object"]

/** Like scriptRoleplay, but the next `reviewFailures` review requests fail (500); the persona never does. */
const scriptWithFailingReview = (
  ai: FakeOpenAi,
  caseSpec: CaseSpec,
  turns: ReadonlyArray<ScriptedTurn>,
  review: Review,
  reviewFailures: number,
) => {
  scriptRoleplay(ai, caseSpec, turns, review)
  ai.failNext({ kind: "status", status: 500 }, reviewFailures, reviewRequest)
}

describe.each(backends)("role-play under AI faults end to end (%s)", (backend) => {
  let bot: TestBot
  afterEach(async () => bot?.stop())

  test("persona 500s through every retry → personaUnavailable with «🔁 Повторить»; retry re-sends the same line once", async () => {
    // Ten attempts per line (1 + 9 retries) consume the ten queued faults: the fake is healthy afterwards.
    bot = await startBot({ backend, env: { ...AI_ENV, AI_REQUEST_MAX_RETRIES: "9" } })
    const script = scriptRoleplay(bot.ai, spec, [{ reply: "Ну, слушаю." }, { reply: "И что дальше?" }])
    const user = bot.user(1001)
    await signIn(user)
    await startCase(user)
    bot.ai.failNext({ kind: "status", status: 500 }, 10, personaRequest)

    const failed = await user.send("Первая реплика")
    expect(textsOf(failed)).toEqual([unavailable])
    expect(inlineButtons(failed[0]!).map((b) => b.text)).toEqual([kernelTexts.buttons.retry])
    expect(personaAsked(bot.ai)).toHaveLength(10)
    expect(personaAsked(bot.ai).map(lastUserLine)).toEqual(Array(10).fill("Первая реплика"))
    expect(personaLines(user)).toEqual([])
    expect(await stats(bot, 1001)).toEqual({ [`${spec.id}:started`]: 1 })

    const retried = await user.press(kernelTexts.buttons.retry)
    expect(retried.answer?.params.show_alert).toBeUndefined()
    expect(personaAsked(bot.ai)).toHaveLength(11)
    expect(lastUserLine(personaAsked(bot.ai).at(-1)!)).toBe("Первая реплика")
    // The failed try was not a turn: the persona's answer is turn 1, shown exactly once.
    expect(textsOf(retried.messages)).toHaveLength(1)
    expect(textsOf(retried.messages)[0]).toStartWith(`${personaPrefix} Ну, слушаю.`)
    expect(textsOf(retried.messages)[0]).toContain(`реплика 1 из ${spec.maxTurns}`)
    expect(personaLines(user)).toHaveLength(1)

    // The old «🔁 Повторить» is spent: a second press is stale and asks the model nothing.
    const twice = await user.pressData(`case:${spec.id}:retry`, failed[0]!.message_id)
    expect(twice.answer?.params).toMatchObject({ text: appTexts.staleButton, show_alert: true })
    expect(twice.messages).toEqual([])
    expect(script.personaCalls()).toBe(11)

    const next = await user.send("Вторая реплика")
    expect(textsOf(next)[0]).toStartWith(`${personaPrefix} И что дальше?`)
    expect(textsOf(next)[0]).toContain(`реплика 2 из ${spec.maxTurns}`)
    // The history sent with turn 2 holds the first line once.
    const history = (personaAsked(bot.ai).at(-1)!.body as { messages: Array<{ content: string }> }).messages
    expect(history.filter((m) => m.content === "Первая реплика")).toHaveLength(1)
  })

  test("after a persona failure a new typed line (instead of the retry) is turn 1", async () => {
    bot = await startBot({ backend, env: AI_ENV })
    scriptRoleplay(bot.ai, spec, [{ reply: "Слушаю." }])
    const user = bot.user(1002)
    await signIn(user)
    await startCase(user)
    bot.ai.failNext({ kind: "status", status: 503 }, 2, personaRequest)
    expect(textsOf(await user.send("Первая реплика"))).toEqual([unavailable])
    expect(personaAsked(bot.ai)).toHaveLength(2)
    const shown = textsOf(await user.send("Другая реплика"))
    expect(shown[0]).toStartWith(`${personaPrefix} Слушаю.`)
    expect(shown[0]).toContain(`реплика 1 из ${spec.maxTurns}`)
    expect(lastUserLine(personaAsked(bot.ai).at(-1)!)).toBe("Другая реплика")
  })

  test("malformed model output twice → personaUnavailable, no raw error text anywhere; the next line works", async () => {
    bot = await startBot({ backend, env: AI_ENV })
    scriptRoleplay(bot.ai, spec, [{ reply: "Хорошо, говори." }])
    const user = bot.user(1003)
    await signIn(user)
    await startCase(user)
    bot.ai.failNext({ kind: "malformed" }, 2, personaRequest)
    const failed = await user.send("Первая реплика")
    expect(textsOf(failed)).toEqual([unavailable])
    expect(personaAsked(bot.ai)).toHaveLength(2)
    for (const text of [...everythingSent(bot), ...textsOf(user.screen())])
      for (const leak of LEAKS) expect(text).not.toContain(leak)

    const next = textsOf(await user.send("Вторая реплика"))
    expect(next[0]).toStartWith(`${personaPrefix} Хорошо, говори.`)
    expect(next[0]).toContain(`реплика 1 из ${spec.maxTurns}`)
    for (const text of everythingSent(bot)) for (const leak of LEAKS) expect(text).not.toContain(leak)
  })

  test("one malformed answer is retried silently: the learner just gets the reply", async () => {
    bot = await startBot({ backend, env: AI_ENV })
    scriptRoleplay(bot.ai, spec, [{ reply: "Со второй попытки." }])
    const user = bot.user(1004)
    await signIn(user)
    await startCase(user)
    bot.ai.failNext({ kind: "malformed" }, 1, personaRequest)
    const shown = textsOf(await user.send("Реплика"))
    expect(shown).toHaveLength(1)
    expect(shown[0]).toStartWith(`${personaPrefix} Со второй попытки.`)
    expect(personaAsked(bot.ai)).toHaveLength(2)
  })

  test("«🔄 Начать заново» while the persona is slow: the late reply is dropped, the new attempt works", async () => {
    bot = await startBot({ backend, env: AI_ENV })
    const script = scriptRoleplay(bot.ai, spec, [{ reply: "Опоздавший ответ." }, { reply: "Свежий ответ." }])
    const user = bot.user(1005)
    await signIn(user)
    await startCase(user)
    bot.ai.setLatency(1500)
    await bot.deliver(
      textUpdate("Старая реплика", {
        chatId: 1005,
        userId: 1005,
        firstName: "Аня",
        messageId: bot.tg.nextUserMessageId(1005),
      }),
    )
    const deadline = Date.now() + 5000
    while (personaAsked(bot.ai).length === 0) {
      if (Date.now() > deadline) throw new Error("the persona was never asked")
      await Bun.sleep(5)
    }
    const restarted = await user.send(kernelTexts.buttons.restart)
    bot.ai.setLatency(0)
    expect(bot.ai.inFlight).toBe(0)
    // The late answer did come back (the fake answered it), and was not shown.
    expect(script.personaCalls()).toBe(1)
    expect(textsOf(restarted)).toEqual([visibleText(spec.texts.algorithm)])
    const screen = textsOf(user.screen())
    const restartAt = screen.lastIndexOf(visibleText(spec.texts.algorithm))
    expect(screen.slice(restartAt + 1).filter((t) => t.startsWith(personaPrefix))).toEqual([])
    expect(personaLines(user)).toEqual([])

    const fresh = textsOf(await user.send("Новая реплика"))
    expect(fresh).toHaveLength(1)
    expect(fresh[0]).toStartWith(`${personaPrefix} Свежий ответ.`)
    expect(fresh[0]).toContain(`реплика 1 из ${spec.maxTurns}`)
    // The new attempt's history does not carry the abandoned line.
    const body = personaAsked(bot.ai).at(-1)!.body as { messages: Array<{ content: string }> }
    expect(body.messages.some((m) => m.content.includes("Старая реплика"))).toBe(false)
    expect(lastUserLine(personaAsked(bot.ai).at(-1)!)).toBe("Новая реплика")
    expect((await stats(bot, 1005))[`${spec.id}:started`]).toBe(2)
  })

  test("the reviewer fails → reviewUnavailable with «🔁 Повторить разбор»; the retry brings the review; stats counted once", async () => {
    bot = await startBot({ backend, env: AI_ENV })
    // 1 + 1 retry: both review attempts fail, the persona never does.
    scriptWithFailingReview(
      bot.ai,
      spec,
      [
        { reply: "Ну, бывает.", covered: keys.slice(0, 2) },
        { reply: "Ладно, договорились.", covered: keys.slice(2) },
        { reply: "До встречи." },
      ],
      reviewOf(spec, keys),
      2,
    )
    const user = bot.user(1006)
    await signIn(user)
    await startCase(user)
    await user.send("Первая реплика")
    await user.send("Вторая реплика")
    const last = await user.send("Спасибо, до встречи")
    expect(textsOf(last)).toEqual([
      expect.stringContaining(`${personaPrefix} До встречи.`),
      visibleText(kernelTexts.allCovered),
      kernelTexts.reviewUnavailable,
    ])
    expect(inlineButtons(last[2]!).map((b) => b.text)).toEqual([kernelTexts.buttons.retryReview])
    expect(requestsNamed(bot.ai, "review")).toHaveLength(2)
    expect(await stats(bot, 1006)).toEqual({
      [`${spec.id}:started`]: 1,
      [`${spec.id}:completed`]: 1,
      [`${spec.id}:auto_finished`]: 1,
    })
    for (const text of everythingSent(bot)) for (const leak of LEAKS) expect(text).not.toContain(leak)

    const retried = await user.press(kernelTexts.buttons.retryReview)
    expect(retried.answer?.params.show_alert).toBeUndefined()
    expect(requestsNamed(bot.ai, "review")).toHaveLength(3)
    const shown = textsOf(retried.messages)
    expect(shown[0]).toStartWith(`🎓 Разбор: ${spec.texts.title}`)
    expect(shown[0]).toContain(`${keys.length} из ${keys.length}`)
    expect(shown[1]).toBe(visibleText(`${historyTexts.allShown}\n\n${kernelTexts.afterReview}`))
    expect(await stats(bot, 1006)).toEqual({
      [`${spec.id}:started`]: 1,
      [`${spec.id}:completed`]: 1,
      [`${spec.id}:auto_finished`]: 1,
    })
    const attempts = await bot.app.db
      .selectFrom("case_attempts")
      .select(["outcome", "turns", "score"])
      .where("user_id", "=", 1006)
      .execute()
    expect(attempts).toEqual([{ outcome: "completed", turns: 3, score: keys.length }])

    // The retry button is spent once the review is in.
    const again = await user.pressData(`case:${spec.id}:review`, last[2]!.message_id)
    expect(again.answer?.params).toMatchObject({ text: appTexts.staleButton, show_alert: true })
    expect(requestsNamed(bot.ai, "review")).toHaveLength(3)
    expect((await stats(bot, 1006))[`${spec.id}:completed`]).toBe(1)
  })

  test("no AI key at all (OPENAI_API_KEY and GEMINI_API_KEY empty) → a clear start-up error, not a silent bot", async () => {
    const error = await startBot({
      backend,
      env: { ...AI_ENV, OPENAI_API_KEY: "", GEMINI_API_KEY: "" },
    }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(StartupError)
    expect((error as Error).message).toContain("OPENAI_API_KEY")
    expect((error as Error).message).toContain("GEMINI_API_KEY")
  })

  test("text after a failed review → the review retry is offered again, no false promise", async () => {
    bot = await startBot({ backend, env: AI_ENV })
    scriptWithFailingReview(bot.ai, spec, [{ reply: "Ну, бывает." }], reviewOf(spec, []), 2)
    const user = bot.user(1008)
    await signIn(user)
    await startCase(user)
    await user.send("Первая реплика")
    const finished = await user.send(kernelTexts.buttons.analysis)
    expect(textsOf(finished)).toEqual([visibleText(kernelTexts.manualFinish), kernelTexts.reviewUnavailable])
    const reviewsBefore = requestsNamed(bot.ai, "review").length
    for (const line of ["Ну что там с разбором?", kernelTexts.buttons.analysis]) {
      const shown = await user.send(line)
      const asked = requestsNamed(bot.ai, "review").length > reviewsBefore
      const offered = shown.some((m) =>
        inlineButtons(m).some((b) => b.text === kernelTexts.buttons.retryReview),
      )
      expect(asked || offered).toBe(true)
    }
  })

  test("a line queued behind a failed persona request → answered before a later line", async () => {
    bot = await startBot({ backend, env: AI_ENV })
    scriptRoleplay(bot.ai, spec, [])
    const user = bot.user(1009)
    await signIn(user)
    await startCase(user)
    bot.ai.setLatency(500)
    bot.ai.failNext({ kind: "status", status: 500 }, 2, personaRequest)
    const line = (text: string) =>
      bot.deliver(textUpdate(text, { chatId: 1009, userId: 1009, messageId: bot.tg.nextUserMessageId(1009) }))
    await line("A")
    await line("B")
    await bot.app.whenIdle()
    bot.ai.setLatency(0)
    expect(textsOf(user.screen()).at(-1)).toBe(unavailable)
    await user.send("C")
    const order = personaAsked(bot.ai)
      .map(lastUserLine)
      .filter((l) => l === "B" || l === "C")
    expect(order).toEqual(["B", "C"])
  })
})
