import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test"
import { personaPrompt, reviewPrompt } from "../../src/cases/kernel/prompts"
import type { CaseSpec } from "../../src/cases/kernel/spec"
import { kernelTexts } from "../../src/cases/kernel/texts"
import { cases, findCase } from "../../src/cases/registry"
import type { Review } from "../../src/core/ai-reply"
import { visibleText } from "../../src/core/html"
import { TRANSCRIBE_INSTRUCTION } from "../../src/providers/transcription"
import {
  judgeAnswerOf,
  personaRequest,
  requestsNamed,
  reviewOf,
  schemaName,
  scriptRoleplay,
} from "../support/ai-script"
import { backends } from "../support/database"
import { inlineButtons } from "../support/fake-bot-api"
import {
  type FakeGemini,
  type RecordedRequest as GeminiRequest,
  startFakeGemini,
} from "../support/fake-gemini"
import { signIn, startBot, type TestBot, type TestUser, textsOf } from "../support/harness"
import { captureLogLines } from "../support/log-lines"
import { voiceNote } from "../support/voice-note"

// Each file boots the real app; bun applies setDefaultTimeout only to the file that calls it.
setDefaultTimeout(30_000)

const employee = findCase("fb_employee")!
const peer = findCase("fb_peer")!
const prefix = (spec: CaseSpec) => `${spec.persona.emoji} ${spec.persona.name}:`

const geminiEnv = (gemini: FakeGemini) => ({
  GEMINI_API_KEY: "g-test",
  GEMINI_BASE_URL: gemini.url,
  AI_DIALOGUE_CHAIN: "openai:gpt-5-mini,gemini:gemini-2.5-flash",
  AI_REQUEST_MAX_RETRIES: "0",
  REVIEW_SAMPLES: "1",
})

const startCase = async (user: TestUser, spec: CaseSpec) => {
  expect(textsOf(await user.send(`/${spec.commands.start}`))).toEqual([visibleText(spec.texts.algorithm)])
}

const openAiPersona = (bot: TestBot) => requestsNamed(bot.ai, "persona_reply")
const openAiReviews = (bot: TestBot) => requestsNamed(bot.ai, "review")

const geminiIsReview = (r: GeminiRequest) => schemaName(r) === "review"
/** A transcription request: the voice note travels as an inline part. */
const geminiIsAudio = (r: GeminiRequest) => JSON.stringify(r.body ?? null).includes('"inlineData"')
const geminiPersona = (gemini: FakeGemini) =>
  gemini.modelRequests().filter((r) => schemaName(r) === "persona_reply")
const geminiAudio = (gemini: FakeGemini) => gemini.modelRequests().filter(geminiIsAudio)
const geminiReviews = (gemini: FakeGemini) => gemini.modelRequests().filter(geminiIsReview)
const geminiSystem = (r: GeminiRequest) =>
  ((r.body as { systemInstruction?: { parts?: Array<{ text?: string }> } }).systemInstruction?.parts ?? [])
    .map((p) => p.text ?? "")
    .join("")
const geminiLastUser = (r: GeminiRequest) =>
  (r.body as { contents: Array<{ role: string; parts: Array<{ text?: string }> }> }).contents.at(-1)

/**
 * Answers the fake Gemini like the real model would with structured output: JSON text that decodes with the
 * persona schema, the judge's (nothing found) or the review schema.
 */
const scriptGemini = (
  gemini: FakeGemini,
  spec: CaseSpec,
  replies: ReadonlyArray<string>,
  review?: Review,
  transcript = "Gemini расслышал",
) => {
  let next = 0
  gemini.setResponder((request) => {
    if (geminiIsAudio(request)) return transcript
    if (geminiIsReview(request)) return review ?? reviewOf(spec, [])
    if (schemaName(request) === "judge_line") return judgeAnswerOf(spec, "", [])
    return { reply: replies[next++] ?? "Понятно." }
  })
}

/** The persona's, reviewer's and transcription calls (the judge's have their own tests). */
const aiCalls = (bot: TestBot, userId: number) =>
  bot.app.db
    .selectFrom("ai_calls")
    .select(["channel", "provider", "model", "outcome", "case_id"])
    .where("user_id", "=", userId)
    .where("channel", "!=", "judge")
    .orderBy("id")
    .execute()

describe.each(backends)("AI provider fallback end to end (%s)", (backend) => {
  let bot: TestBot
  let gemini: FakeGemini | undefined
  afterEach(async () => {
    await bot?.stop()
    await gemini?.stop()
    gemini = undefined
  })

  test("OpenAI answers 500 → the persona's line comes from Gemini with the persona's system prompt; both attempts recorded", async () => {
    gemini = startFakeGemini()
    bot = await startBot({ backend, env: geminiEnv(gemini) })
    scriptRoleplay(bot.ai, employee, [{ reply: "Это OpenAI, его не должно быть видно." }])
    scriptGemini(gemini, employee, ["Ответ от Gemini."])
    const user = bot.user(5001)
    await signIn(user)
    await startCase(user, employee)
    bot.ai.failNext({ kind: "status", status: 500 }, 1, personaRequest)

    const shown = textsOf(await user.send("Евгений, есть минута?"))
    expect(shown).toHaveLength(1)
    expect(shown[0]).toStartWith(`${prefix(employee)} Ответ от Gemini.`)
    expect(shown[0]).toContain(`реплика 1 из ${employee.maxTurns}`)

    expect(openAiPersona(bot)).toHaveLength(1)
    expect(geminiPersona(gemini)).toHaveLength(1)
    const request = geminiPersona(gemini)[0]!
    const expectedSystem = personaPrompt(employee, [], "Евгений, есть минута?").system
    const system = geminiSystem(request)
    expect(system).toBe(expectedSystem)
    expect(gemini.lastSystemInstruction()).toBe(expectedSystem)
    expect(system.length).toBeGreaterThan(0)
    expect(system).toContain(employee.persona.name)
    // OpenAI was sent the same persona, as its system message.
    const openAiMessages = (
      openAiPersona(bot)[0]!.body as { messages: Array<{ role: string; content: string }> }
    ).messages
    expect(openAiMessages[0]).toEqual({ role: "system", content: expectedSystem })
    expect(geminiLastUser(request)).toEqual({ role: "user", parts: [{ text: "Евгений, есть минута?" }] })
    expect(gemini.lastModel()).toBe("gemini-2.5-flash")
    expect(gemini.lastGenerationConfig()).toMatchObject({ responseMimeType: "application/json" })

    const calls = await aiCalls(bot, 5001)
    expect(calls).toEqual([
      {
        channel: "dialogue",
        provider: "openai",
        model: "gpt-5-mini",
        outcome: expect.any(String),
        case_id: employee.id,
      },
      {
        channel: "dialogue",
        provider: "gemini",
        model: "gemini-2.5-flash",
        outcome: "ok",
        case_id: employee.id,
      },
    ])
    expect(calls[0]!.outcome).not.toBe("ok")
  })

  test("the review (default chain gemini → openai) is asked of Gemini first", async () => {
    gemini = startFakeGemini()
    bot = await startBot({ backend, env: geminiEnv(gemini) })
    const keys = employee.methodology.components.map((c) => c.key)
    scriptRoleplay(bot.ai, employee, [{ reply: "Слушаю.", covered: keys.slice(0, 2) }])
    scriptGemini(gemini, employee, [], reviewOf(employee, keys.slice(0, 2), "Разбор от Gemini."))
    // Slow enough for the «Thinking…» draft to go out while the review is on its way.
    gemini.setLatency(300)
    const user = bot.user(5002)
    await signIn(user)
    await startCase(user, employee)
    expect(textsOf(await user.send("Первая реплика"))[0]).toStartWith(`${prefix(employee)} Слушаю.`)
    expect(geminiPersona(gemini)).toEqual([])

    const finished = textsOf(await user.send(kernelTexts.buttons.analysis))
    expect(finished[0]).toBe(visibleText(kernelTexts.manualFinish))
    expect(finished[1]).toStartWith(`🎓 Разбор: ${employee.texts.title}`)
    expect(finished[1]).toContain("Разбор от Gemini.")
    expect(geminiReviews(gemini)).toHaveLength(1)
    expect(openAiReviews(bot)).toEqual([])
    const turns = [{ learner: "Первая реплика", persona: "Слушаю.", covered: keys.slice(0, 2) }]
    expect(geminiSystem(geminiReviews(gemini)[0]!)).toBe(
      reviewPrompt(employee, turns, keys.slice(0, 2)).system,
    )
    expect(bot.tg.callsOf("sendMessageDraft").length).toBeGreaterThanOrEqual(1)
    expect((await aiCalls(bot, 5002)).map((c) => [c.channel, c.provider, c.outcome])).toEqual([
      ["dialogue", "openai", "ok"],
      ["reviewer", "gemini", "ok"],
    ])
  })

  test("AI_CASE_CHAINS sends fb_employee's dialogue straight to Gemini; another case still uses OpenAI", async () => {
    gemini = startFakeGemini()
    bot = await startBot({
      backend,
      env: { ...geminiEnv(gemini), AI_CASE_CHAINS: "fb_employee.dialogue=gemini:gemini-2.5-flash" },
    })
    scriptRoleplay(bot.ai, peer, [{ reply: "Александр через OpenAI." }])
    scriptGemini(gemini, employee, ["Евгений через Gemini."])
    const first = bot.user(5003)
    await signIn(first)
    await startCase(first, employee)
    const employeeLine = textsOf(await first.send("Привет, Евгений"))
    expect(employeeLine[0]).toStartWith(`${prefix(employee)} Евгений через Gemini.`)
    expect(openAiPersona(bot)).toEqual([])
    expect(geminiPersona(gemini)).toHaveLength(1)
    expect(geminiSystem(geminiPersona(gemini)[0]!)).toContain(employee.persona.name)

    const second = bot.user(5004)
    await signIn(second)
    await startCase(second, peer)
    const peerLine = textsOf(await second.send("Привет, Александр"))
    expect(peerLine[0]).toStartWith(`${prefix(peer)} Александр через OpenAI.`)
    expect(openAiPersona(bot)).toHaveLength(1)
    expect(geminiPersona(gemini)).toHaveLength(1)

    expect((await aiCalls(bot, 5003)).map((c) => [c.case_id, c.provider, c.outcome])).toEqual([
      [employee.id, "gemini", "ok"],
    ])
    expect((await aiCalls(bot, 5004)).map((c) => [c.case_id, c.provider, c.outcome])).toEqual([
      [peer.id, "openai", "ok"],
    ])
  })

  test("both providers failing → personaUnavailable with «🔁 Повторить», one warning naming the case, the providers, their errors and the time; the retry goes through the chain again", async () => {
    gemini = startFakeGemini()
    const { lines, logSink } = captureLogLines()
    bot = await startBot({ backend, env: geminiEnv(gemini), logSink })
    const spec = cases[0]!
    scriptRoleplay(bot.ai, spec, [{ reply: "Теперь OpenAI отвечает." }])
    scriptGemini(gemini, spec, ["Gemini не должен ответить."])
    const user = bot.user(5005)
    await signIn(user)
    await startCase(user, spec)
    bot.ai.failNext({ kind: "status", status: 500 }, 1, personaRequest)
    gemini.failNext({ kind: "status", status: 503 }, 1, personaRequest)

    const failed = await user.send("Реплика в пустоту")
    expect(textsOf(failed)).toEqual([visibleText(kernelTexts.personaUnavailable(spec))])
    expect(inlineButtons(failed[0]!).map((b) => b.text)).toEqual([kernelTexts.buttons.retry])
    expect(openAiPersona(bot)).toHaveLength(1)
    expect(geminiPersona(gemini)).toHaveLength(1)
    const calls = await aiCalls(bot, 5005)
    expect(calls.map((c) => c.provider)).toEqual(["openai", "gemini"])
    expect(calls.every((c) => c.outcome !== "ok")).toBe(true)
    const warnings = lines.filter((l) => l.msg === "ai chain failed")
    expect(warnings).toEqual([
      {
        time: expect.any(String),
        level: "warn",
        msg: "ai chain failed",
        caseId: spec.id,
        channel: "dialogue",
        providers: "openai:gpt-5-mini → gemini:gemini-2.5-flash",
        errors: "unavailable (HTTP 500, attempts 1); unavailable (HTTP 503 UNAVAILABLE, attempts 1)",
        ms: expect.any(Number),
      },
    ])
    // No dialogue text in it.
    expect(JSON.stringify(warnings)).not.toContain("Реплика в пустоту")

    const retried = await user.press(kernelTexts.buttons.retry)
    expect(textsOf(retried.messages)[0]).toStartWith(`${prefix(spec)} Теперь OpenAI отвечает.`)
    expect(textsOf(retried.messages)[0]).toContain(`реплика 1 из ${spec.maxTurns}`)
    expect(openAiPersona(bot)).toHaveLength(2)
    expect(geminiPersona(gemini)).toHaveLength(1)
  })

  test("OpenAI down (every chat request 500): after three outages it is skipped, the next lines go straight to Gemini", async () => {
    gemini = startFakeGemini()
    bot = await startBot({ backend, env: geminiEnv(gemini) })
    scriptRoleplay(bot.ai, employee, [])
    scriptGemini(gemini, employee, ["Раз.", "Два.", "Три.", "Четыре."])
    const user = bot.user(5010)
    await signIn(user)
    await startCase(user, employee)
    bot.ai.failNext({ kind: "status", status: 500 }, 1000, "/chat/completions")
    const openAiChat = () => bot.ai.requestsTo("/chat/completions").length

    for (const [line, reply] of [
      ["Первая", "Раз."],
      ["Вторая", "Два."],
    ] as const)
      expect(textsOf(await user.send(line))[0]).toStartWith(`${prefix(employee)} ${reply}`)
    const afterOutages = openAiChat()
    expect(afterOutages).toBeGreaterThanOrEqual(3)
    for (const [line, reply] of [
      ["Третья", "Три."],
      ["Четвёртая", "Четыре."],
    ] as const)
      expect(textsOf(await user.send(line))[0]).toStartWith(`${prefix(employee)} ${reply}`)
    // Skipped: nothing more was sent to OpenAI, each line went to Gemini at once.
    expect(openAiChat()).toBe(afterOutages)
    expect(geminiPersona(gemini)).toHaveLength(4)
  })

  test("OpenAI refuses with a 400 → not retried (even with retries allowed), Gemini answers at once", async () => {
    gemini = startFakeGemini()
    bot = await startBot({ backend, env: { ...geminiEnv(gemini), AI_REQUEST_MAX_RETRIES: "3" } })
    scriptRoleplay(bot.ai, employee, [{ reply: "OpenAI." }])
    scriptGemini(gemini, employee, ["Gemini после 400."])
    const user = bot.user(5006)
    await signIn(user)
    await startCase(user, employee)
    bot.ai.failNext({ kind: "status", status: 400 }, 1, personaRequest)
    const shown = textsOf(await user.send("Реплика"))
    expect(shown[0]).toStartWith(`${prefix(employee)} Gemini после 400.`)
    expect(openAiPersona(bot)).toHaveLength(1)
    expect(geminiPersona(gemini)).toHaveLength(1)
    expect((await aiCalls(bot, 5006)).map((c) => [c.provider, c.outcome === "ok"])).toEqual([
      ["openai", false],
      ["gemini", true],
    ])
  })

  test("OpenAI answers malformed JSON twice → one silent retry, then Gemini; the learner just gets the line", async () => {
    gemini = startFakeGemini()
    bot = await startBot({ backend, env: geminiEnv(gemini) })
    scriptRoleplay(bot.ai, employee, [{ reply: "OpenAI." }])
    scriptGemini(gemini, employee, ["Gemini после битого JSON."])
    const user = bot.user(5007)
    await signIn(user)
    await startCase(user, employee)
    bot.ai.failNext({ kind: "malformed" }, 2, personaRequest)
    const shown = textsOf(await user.send("Реплика"))
    expect(shown).toHaveLength(1)
    expect(shown[0]).toStartWith(`${prefix(employee)} Gemini после битого JSON.`)
    expect(openAiPersona(bot)).toHaveLength(2)
    expect(geminiPersona(gemini)).toHaveLength(1)
    const calls = await aiCalls(bot, 5007)
    expect(calls.map((c) => [c.provider, c.outcome])).toEqual([
      ["openai", "malformed"],
      ["gemini", "ok"],
    ])
  })

  test("voice: both OpenAI transcription models fail → Gemini transcribes the inline OGG; the persona answers it", async () => {
    gemini = startFakeGemini()
    bot = await startBot({
      backend,
      env: { ...geminiEnv(gemini), TRANSCRIBE_MAX_RETRIES: "0", TRANSCRIBE_RETRY_BACKOFF_SEC: "0" },
    })
    scriptRoleplay(bot.ai, employee, [{ reply: "Услышал через Gemini." }])
    scriptGemini(gemini, employee, [], undefined, "Евгений, это голосом")
    const user = bot.user(5008)
    await signIn(user)
    await startCase(user, employee)
    bot.ai.failNext({ kind: "status", status: 503 }, 2, "/audio/transcriptions")
    const { update, bytes } = voiceNote(bot, user, { fileId: "g-voice" })
    const shown = textsOf(await user.sendUpdate(update))
    expect(shown[0]).toBe(visibleText(kernelTexts.heard("Евгений, это голосом")))
    expect(shown[1]).toStartWith(`${prefix(employee)} Услышал через Gemini.`)
    expect(bot.ai.requestsTo("/audio/transcriptions")).toHaveLength(2)
    expect(geminiAudio(gemini)).toHaveLength(1)
    expect(geminiSystem(geminiAudio(gemini)[0]!)).toBe(TRANSCRIBE_INSTRUCTION)
    expect(gemini.lastInlineData()).toEqual([{ mimeType: "audio/ogg", size: bytes.byteLength }])
    expect(
      (openAiPersona(bot)[0]!.body as { messages: Array<{ content: string }> }).messages.at(-1)?.content,
    ).toBe("Евгений, это голосом")
    const cached = await bot.app.db.selectFrom("voice_transcripts").select(["provider", "model"]).execute()
    expect(cached).toEqual([{ provider: "gemini", model: "gemini-2.5-flash" }])
  })

  test("voice: every transcription route fails → the learner's notice and one warning with the providers and their errors", async () => {
    const { lines, logSink } = captureLogLines()
    bot = await startBot({
      backend,
      logSink,
      env: { TRANSCRIBE_MAX_RETRIES: "0", TRANSCRIBE_RETRY_BACKOFF_SEC: "0" },
    })
    scriptRoleplay(bot.ai, employee, [])
    const user = bot.user(5009)
    await signIn(user)
    await startCase(user, employee)
    bot.ai.failNext({ kind: "status", status: 503 }, 5, "/audio/transcriptions")
    const { update } = voiceNote(bot, user, { fileId: "f-voice" })
    expect(textsOf(await user.sendUpdate(update))[0]).toStartWith(kernelTexts.voiceFailedKept)
    const warnings = lines.filter((l) => l.msg === "ai chain failed")
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatchObject({ level: "warn", caseId: employee.id, channel: "transcription" })
    expect(String(warnings[0]!.providers)).toStartWith("openai:")
    expect(String(warnings[0]!.errors)).toContain("HTTP 503")
  })
})
