import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test"
import { adminTexts } from "../../src/admin/texts"
import { authTexts } from "../../src/auth/texts"
import { kernelTexts } from "../../src/cases/kernel/texts"
import { cases } from "../../src/cases/registry"
import { visibleText } from "../../src/core/html"
import { texts } from "../../src/nav/texts"
import { personaRequest, reviewOf, scriptRoleplay } from "../support/ai-script"
import { backends } from "../support/database"
import { tablesHolding, travelDays } from "../support/db-scan"
import type { RecordedRequest } from "../support/fake-openai"
import { signIn, startBot, type TestBot, type TestUser, textsOf } from "../support/harness"
import { addUserText } from "../support/leak-scan"
import { callbackUpdate, textUpdate } from "../support/updates"
import { voiceNote } from "../support/voice-note"
import { waitFor } from "../support/wait"

// Each file boots the real app; bun applies setDefaultTimeout only to the file that calls it.
setDefaultTimeout(60_000)

/** The learner's words: typed, spoken and quoted back by the reviewer. Searched for in every table afterwards. */
const MARKER = "Kalinka7731"
const NAME = "Эвридика"
const DAY_MS = 86_400_000
const spec = cases[0]!
const keys = spec.methodology.components.map((c) => c.key)
const personaPrefix = `${spec.persona.emoji} ${spec.persona.name}:`
const VOICE_ENV = { TRANSCRIBE_MAX_RETRIES: "0", TRANSCRIBE_RETRY_BACKOFF_SEC: "0" }

const voiceOf = (bot: TestBot, user: TestUser) =>
  voiceNote(bot, user, { durationSec: 3, firstName: NAME }).update

/** Signs in, says the marker in a typed line and in a voice note, and gets a review that quotes it. */
const dialogueWithMarker = async (bot: TestBot, user: TestUser) => {
  const review = reviewOf(spec, keys.slice(0, 2), `Фраза «${MARKER}» задала тон разговору.`)
  scriptRoleplay(bot.ai, spec, [{ reply: "Слушаю.", covered: keys.slice(0, 1) }, { reply: "Понял." }], {
    ...review,
    components: review.components.map((c) => (c.covered ? { ...c, evidence: `обсудим ${MARKER}` } : c)),
  })
  bot.ai.scriptTranscription(`Голосом: обсудим ${MARKER} до пятницы`)
  await signIn(user)
  await user.send(`/${spec.commands.start}`)
  expect(textsOf(await user.send(`Давай обсудим ${MARKER} до пятницы`))[0]).toStartWith(personaPrefix)
  const heard = textsOf(await user.sendUpdate(voiceOf(bot, user)))
  expect(heard[0]).toBe(visibleText(kernelTexts.heard(`Голосом: обсудим ${MARKER} до пятницы`)))
  const shown = textsOf(await user.send(kernelTexts.buttons.analysis))
  expect(shown.some((t) => t.startsWith("🎓") && t.includes(MARKER))).toBe(true)
  // The scan is not vacuous: before the deletion the words are in all of these.
  expect(await tablesHolding(bot.app.db, MARKER)).toEqual([
    expect.stringMatching(/^case_attempts: /),
    expect.stringMatching(/^chat_sessions: /),
    expect.stringMatching(/^review_verdicts: /),
    expect.stringMatching(/^update_inbox: /),
    expect.stringMatching(/^voice_transcripts: /),
  ])
}

const lastPersonaRequest = (bot: TestBot): RecordedRequest | undefined =>
  bot.ai
    .requestsTo("/chat/completions")
    .filter(
      (r) =>
        (r.body as { response_format?: { json_schema?: { name?: string } } }).response_format?.json_schema
          ?.name === "persona_reply",
    )
    .at(-1)

describe.each(backends)("privacy end to end (%s)", (backend) => {
  let bot: TestBot
  afterEach(async () => bot?.stop())

  test("/forget_me → the learner's words (typed, transcribed, quoted) and name are in no table; usage counts stay", async () => {
    bot = await startBot({ backend, env: VOICE_ENV })
    const user = bot.user(7101, NAME)
    await dialogueWithMarker(bot, user)
    const usage = await bot.app.db
      .selectFrom("ai_calls")
      .select("id")
      .where("user_id", "=", user.id)
      .execute()
    expect(usage.length).toBeGreaterThanOrEqual(4)

    expect(textsOf(await user.send("/forget_me"))[0]).toStartWith("🗑")
    expect(textsOf((await user.press(adminTexts.forgetYes)).messages).at(-1)).toBe(adminTexts.forgetDone)

    expect(await tablesHolding(bot.app.db, MARKER)).toEqual([])
    expect(await tablesHolding(bot.app.db, NAME)).toEqual([])
    const anonymous = await bot.app.db
      .selectFrom("ai_calls")
      .select("user_id")
      .where(
        "id",
        "in",
        usage.map((u) => u.id),
      )
      .execute()
    expect(anonymous).toEqual(usage.map(() => ({ user_id: null })))
    // The chat still works: a stranger again, asked to sign in.
    expect(textsOf(await user.send("/whoami"))).toEqual([authTexts.needLogin])
  })

  test("DIALOGUE_RETENTION_DAYS=1, two days later the nightly job ran → the words are in no table; the learner carries on", async () => {
    const clockOffset = { ms: 0 }
    bot = await startBot({ backend, env: { ...VOICE_ENV, DIALOGUE_RETENTION_DAYS: "1" }, clockOffset })
    const user = bot.user(7102, NAME)
    await dialogueWithMarker(bot, user)
    expect(textsOf(await user.send("/faq"))).toEqual([visibleText(texts.faq(1))])

    await travelDays(bot.app.db, 2)
    clockOffset.ms = 2 * DAY_MS
    // The retention job was due in the meantime (its next run moved back too): the scheduler runs it now.
    await waitFor(
      "the retention job",
      async () => {
        const job = await bot.app.db
          .selectFrom("scheduled_jobs")
          .select("last_finished_at")
          .where("name", "=", "retention")
          .executeTakeFirst()
        return job?.last_finished_at != null
      },
      10_000,
    )

    expect(await tablesHolding(bot.app.db, MARKER)).toEqual([])
    // Counts stay: «Мои результаты» still shows the attempt and its score.
    const results = textsOf((await user.pressData("nav:results")).messages).join("\n")
    expect(results).toContain(`№1 · ${spec.texts.title} ·`)
    expect(results).toContain(` · 2 из ${keys.length}`)
    // A new dialogue starts and goes on; the persona is not told the old words.
    expect(textsOf(await user.send(`/${spec.commands.start}`))).toEqual([visibleText(spec.texts.algorithm)])
    expect(textsOf(await user.send("Начнём с чистого листа"))[0]).toStartWith(personaPrefix)
    expect(JSON.stringify(lastPersonaRequest(bot)?.body)).not.toContain(MARKER)
  })

  test("/forget_me while a persona answer and a transcription are in flight → their results never land anywhere", async () => {
    bot = await startBot({ backend, env: VOICE_ENV })
    scriptRoleplay(bot.ai, spec, [{ reply: `Про ${MARKER} слышал.` }])
    bot.ai.scriptTranscription(`Голосом про ${MARKER}`)
    const user = bot.user(7103, NAME)
    await signIn(user)
    await user.send(`/${spec.commands.start}`)
    bot.ai.failNext({ kind: "delay", ms: 2500 }, 1, personaRequest)
    bot.ai.failNext({ kind: "delay", ms: 2500 }, 1, "/audio/transcriptions")
    const from = { chatId: user.id, userId: user.id, firstName: NAME }
    addUserText(`Давай обсудим ${MARKER}`)
    await bot.deliver(
      textUpdate(`Давай обсудим ${MARKER}`, { ...from, messageId: bot.tg.nextUserMessageId(user.id) }),
    )
    await bot.deliver(voiceOf(bot, user))
    // The persona's line, its judge and the transcription.
    await waitFor("all three calls in flight", () => bot.ai.requests.length === 3)
    await bot.deliver(textUpdate("/forget_me", { ...from, messageId: bot.tg.nextUserMessageId(user.id) }))
    await waitFor("the question", () => user.screen().some((m) => (m.text ?? "").startsWith("🗑")))
    const question = user.screen().findLast((m) => (m.text ?? "").startsWith("🗑"))!
    await bot.deliver(callbackUpdate("forget:yes", { ...from, messageId: question.message_id }))
    await waitFor("the deletion", () => textsOf(user.screen()).includes(adminTexts.forgetDone))
    // Both calls finish after the deletion; whatever they bring is dropped, not stored.
    await bot.app.whenIdle(15_000)
    expect(textsOf(user.screen()).filter((t) => t.includes(MARKER))).toEqual([])
    expect(await tablesHolding(bot.app.db, MARKER)).toEqual([])
    expect(await tablesHolding(bot.app.db, NAME)).toEqual([])
  })
})
