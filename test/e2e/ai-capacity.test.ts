import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test"
import type { Update } from "grammy/types"
import { kernelTexts } from "../../src/cases/kernel/texts"
import { cases } from "../../src/cases/registry"
import { visibleText } from "../../src/core/html"
import { judgeAnswerOf, personaRequest, requestsNamed, scriptRoleplay } from "../support/ai-script"
import { backends } from "../support/database"
import type { RecordedRequest } from "../support/fake-openai"
import { signIn, startBot, type TestBot, textsOf, USER_PASSWORD } from "../support/harness"
import { makeOggOpus } from "../support/ogg-opus"
import { messageUpdate, textUpdate } from "../support/updates"

// Each file boots the real app; bun applies setDefaultTimeout only to the file that calls it.
setDefaultTimeout(30_000)

const spec = cases[0]!
const personaPrefix = `${spec.persona.emoji} ${spec.persona.name}:`

const lastUserLine = (r: RecordedRequest): string =>
  (r.body as { messages: Array<{ content: string }> }).messages.at(-1)?.content ?? ""
const personaRequests = (bot: TestBot) => requestsNamed(bot.ai, "persona_reply")

const personaLines = (bot: TestBot, chatId: number) =>
  textsOf(bot.tg.chat(chatId).filter((m) => !m.deleted)).filter((t) => t.startsWith(personaPrefix))

/** A text from this chat, with a message id that does not collide with the bot's own messages. */
const line = (bot: TestBot, chatId: number, text: string): Update =>
  textUpdate(text, { chatId, userId: chatId, firstName: "Аня", messageId: bot.tg.nextUserMessageId(chatId) })

/** The same line from every chat at once (each chat keeps its own order; chats run in parallel). */
const everyone = async (bot: TestBot, ids: ReadonlyArray<number>, text: (id: number) => string) => {
  const responses = await Promise.all(ids.map((id) => bot.deliver(line(bot, id, text(id)))))
  for (const r of responses) if (r) expect(r.status).toBe(200)
}

/**
 * Answers each persona request with a line naming the learner's own words, so crossed answers would show; the
 * judge beside it finds nothing.
 */
const echoPersona = (bot: TestBot) =>
  bot.ai.setResponder((request) =>
    personaRequest(request) ? { reply: `Ответ на «${lastUserLine(request)}»` } : judgeAnswerOf(spec, "", []),
  )

describe.each(backends)("AI capacity end to end (%s)", (backend) => {
  let bot: TestBot
  afterEach(async () => bot?.stop())

  test("100 simultaneous turns (200 requests: persona and judge) with AI_MAX_CONCURRENCY=8 → one answer each, never more than 8 requests in flight", async () => {
    bot = await startBot({ backend, env: { AI_MAX_CONCURRENCY: "8" } })
    echoPersona(bot)
    const ids = Array.from({ length: 100 }, (_, i) => 40_001 + i)
    // Sign-in and case start in parallel batches: one step for all users, then wait for the bot to settle.
    await everyone(bot, ids, () => "/start")
    await bot.app.whenIdle(20_000)
    await everyone(bot, ids, () => USER_PASSWORD)
    await bot.app.whenIdle(20_000)
    await everyone(bot, ids, () => `/${spec.commands.start}`)
    await bot.app.whenIdle(20_000)
    for (const id of ids)
      expect(textsOf(bot.tg.chat(id)).filter((t) => t === visibleText(spec.texts.algorithm))).toHaveLength(1)
    expect(bot.ai.requests).toEqual([])

    bot.ai.setLatency(150)
    const started = Date.now()
    await everyone(bot, ids, (id) => `Реплика ${id}`)
    await bot.app.whenIdle(20_000)
    const elapsed = Date.now() - started

    for (const id of ids) {
      const lines = personaLines(bot, id)
      expect(lines).toHaveLength(1)
      expect(lines[0]).toStartWith(`${personaPrefix} Ответ на «Реплика ${id}»`)
      expect(lines[0]).toContain(`реплика 1 из ${spec.maxTurns}`)
    }
    expect(personaRequests(bot)).toHaveLength(100)
    expect(new Set(personaRequests(bot).map(lastUserLine)).size).toBe(100)
    expect(bot.ai.maxConcurrent).toBeLessThanOrEqual(8)
    expect(bot.ai.maxConcurrent).toBeGreaterThanOrEqual(2)
    // 200 requests of 150 ms through 8 slots need at least ~3.75 s: the limit was really applied.
    expect(elapsed).toBeGreaterThanOrEqual(Math.floor(200 / 8) * 150)

    const rows = await bot.app.db
      .selectFrom("ai_calls")
      .select(["user_id", "channel", "provider", "outcome", "case_id"])
      .execute()
    expect(rows).toHaveLength(200)
    expect(rows.filter((r) => r.channel === "dialogue")).toHaveLength(100)
    expect(rows.filter((r) => r.channel === "judge")).toHaveLength(100)
    expect(rows.every((r) => r.outcome === "ok" && r.case_id === spec.id)).toBe(true)
    expect(new Set(rows.map((r) => r.user_id)).size).toBe(100)
  }, 60_000)

  test("AI_MAX_CONCURRENCY=1, slow model: a turn waiting over ~3 s gets kernelTexts.queued before its answer", async () => {
    bot = await startBot({ backend, env: { AI_MAX_CONCURRENCY: "1" } })
    echoPersona(bot)
    const first = bot.user(41_001)
    const second = bot.user(41_002)
    for (const user of [first, second]) {
      await signIn(user)
      await user.send(`/${spec.commands.start}`)
    }
    // Each persona call holds the only slot for 4 s (its judge is quick).
    bot.ai.failNext({ kind: "delay", ms: 4000 }, 2, personaRequest)
    await bot.deliver(line(bot, first.id, "Первый"))
    const deadline = Date.now() + 5000
    while (bot.ai.inFlight === 0) {
      if (Date.now() > deadline) throw new Error("the first persona request never started")
      await Bun.sleep(5)
    }
    await bot.deliver(line(bot, second.id, "Второй"))
    await bot.app.whenIdle(20_000)

    const secondScreen = textsOf(second.screen())
    const queuedAt = secondScreen.indexOf(kernelTexts.queued)
    const answerAt = secondScreen.findIndex((t) => t.startsWith(`${personaPrefix} Ответ на «Второй»`))
    expect(queuedAt).toBeGreaterThanOrEqual(0)
    expect(answerAt).toBeGreaterThan(queuedAt)
    expect(secondScreen.filter((t) => t === kernelTexts.queued)).toHaveLength(1)
    // The first learner never waited for a slot: no notice, just the answer.
    expect(textsOf(first.screen())).not.toContain(kernelTexts.queued)
    expect(personaLines(bot, first.id)).toHaveLength(1)
    expect(bot.ai.maxConcurrent).toBe(1)
    expect(personaRequests(bot).map(lastUserLine)).toEqual(["Первый", "Второй"])
  })

  test("AI_DAILY_TURNS_PER_USER=4 (a line costs two calls: persona and judge) → the 3rd line is kept (kernelTexts.dailyLimitKept) and asks the model nothing", async () => {
    bot = await startBot({ backend, env: { AI_DAILY_TURNS_PER_USER: "4" } })
    scriptRoleplay(bot.ai, spec, [{ reply: "Раз." }, { reply: "Два." }, { reply: "Три." }])
    const user = bot.user(41_003)
    await signIn(user)
    await user.send(`/${spec.commands.start}`)
    expect(textsOf(await user.send("Первая"))[0]).toStartWith(`${personaPrefix} Раз.`)
    expect(textsOf(await user.send("Вторая"))[0]).toStartWith(`${personaPrefix} Два.`)
    expect(textsOf(await user.send("Третья"))).toEqual([kernelTexts.dailyLimitKept])
    expect(personaRequests(bot).map(lastUserLine)).toEqual(["Первая", "Вторая"])
    // Still capped on the next line; another learner is not affected.
    expect(textsOf(await user.send("Четвёртая"))).toEqual([kernelTexts.dailyLimitKept])
    expect(personaRequests(bot)).toHaveLength(2)
    const other = bot.user(41_004)
    await signIn(other)
    await other.send(`/${spec.commands.start}`)
    expect(textsOf(await other.send("Привет"))[0]).toStartWith(`${personaPrefix} Три.`)
    const rows = await bot.app.db
      .selectFrom("ai_calls")
      .select(["user_id", "outcome"])
      .where("channel", "=", "dialogue")
      .orderBy("id")
      .execute()
    expect(rows).toEqual([
      { user_id: 41_003, outcome: "ok" },
      { user_id: 41_003, outcome: "ok" },
      { user_id: 41_004, outcome: "ok" },
    ])
  })

  test("AI_MAX_CONCURRENCY also bounds transcriptions: 6 voice notes at once with a limit of 2", async () => {
    bot = await startBot({ backend, env: { AI_MAX_CONCURRENCY: "2", TRANSCRIBE_MAX_RETRIES: "0" } })
    echoPersona(bot)
    const ids = Array.from({ length: 6 }, (_, i) => 42_001 + i)
    await everyone(bot, ids, () => "/start")
    await bot.app.whenIdle(20_000)
    await everyone(bot, ids, () => USER_PASSWORD)
    await bot.app.whenIdle(20_000)
    await everyone(bot, ids, () => `/${spec.commands.start}`)
    await bot.app.whenIdle(20_000)
    const bytes = makeOggOpus({ durationSec: 2 })
    const notes = ids.map((id) => {
      const file = bot.tg.addFile(bytes, { fileId: `burst-${id}`, fileUniqueId: `burst-u-${id}` })
      return messageUpdate(
        { voice: { ...file, duration: 2, mime_type: "audio/ogg", file_size: bytes.byteLength } },
        { chatId: id, userId: id, firstName: "Аня", messageId: bot.tg.nextUserMessageId(id) },
      )
    })
    bot.ai.setLatency(300)
    await Promise.all(notes.map((u) => bot.deliver(u)))
    await bot.app.whenIdle(20_000)
    expect(bot.ai.requestsTo("/audio/transcriptions")).toHaveLength(6)
    for (const id of ids) expect(personaLines(bot, id)).toHaveLength(1)
    expect(bot.ai.maxConcurrent).toBeLessThanOrEqual(2)
  })
})
