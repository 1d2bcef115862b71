import { describe, expect, setDefaultTimeout, test } from "bun:test"
import { kernelTexts } from "../../src/cases/kernel/texts"
import { findCase } from "../../src/cases/registry"
import { visibleText } from "../../src/core/html"
import { personaRequest, requestsNamed, reviewOf, reviewRequest, scriptRoleplay } from "../support/ai-script"
import { backends } from "../support/database"
import { startFakeOpenAi } from "../support/fake-openai"
import { testEnv } from "../support/harness"
import { makeOggOpus } from "../support/ogg-opus"
import type { BotProcess } from "../support/process"
import { useProcessFixture } from "../support/process-fixture"
import { type ProcessLearner, processLearner } from "../support/process-learner"
import { messageUpdate } from "../support/updates"
import { waitFor } from "../support/wait"

setDefaultTimeout(120_000)

const spec = findCase("fb_employee")!
const isPersonaLine = (text: string) => text.startsWith(`${spec.persona.emoji} ${spec.persona.name}:`)
const isReview = (text: string) => text.startsWith(`🎓 Разбор: ${spec.texts.title}`)
const isWelcome = (text: string) => text.startsWith("👋 Привет")
const isHeard = (text: string) => text.startsWith("🎤 Распознано:")

/**
 * An AI call in flight when its bot dies (kill -9) or is stopped (SIGTERM past SHUTDOWN_TIMEOUT_SEC): the next
 * instance issues it again and the learner gets exactly one answer; lost twice, it ends in «🔁 Повторить».
 */
describe.each(backends)("AI work across kill -9 and deploys, real processes (%s)", (backend) => {
  const fx = useProcessFixture()

  const setUp = async (extra: Record<string, string> = {}) => {
    const tg = await fx.botApi()
    const ai = startFakeOpenAi()
    fx.onTeardown(() => ai.stop())
    const database = await fx.database(backend)
    const env = { ...testEnv(tg, database, "webhook", ai), LOG_LEVEL: "info", ...extra }
    let current: BotProcess = fx.spawn(env)
    let port = Number((await current.waitForLog("bot started")).webhookPort)
    const learner = (id: number) => processLearner(tg, () => port, id)
    let metricsPort = 0
    const restart = async () => {
      current = fx.spawn(env)
      const started = await current.waitForLog("bot started")
      port = Number(started.webhookPort)
      metricsPort = Number(started.metricsPort)
    }
    const metrics = () => fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((r) => r.text())
    return { tg, ai, learner, restart, metrics, bot: () => current }
  }

  /** Signs in and opens the case: the learner is in the dialogue, nothing said yet. */
  const intoDialogue = async (learner: ProcessLearner) => {
    await learner.signIn(isWelcome)
    await learner.send(`/${spec.commands.start}`)
    await learner.waitForTexts("the case's algorithm", (t) => t === visibleText(spec.texts.algorithm))
  }

  /** No further answer comes: waits out two sweeps and a lease, then counts once more. */
  const settled = () => Bun.sleep(3000)

  test("kill -9 two seconds into 8 s calls (a persona line, a review, a transcription with a text waiting behind it) → after restart each learner gets exactly one answer, in order", async () => {
    const { tg, ai, restart, bot, learner } = await setUp()
    scriptRoleplay(ai, spec, [], reviewOf(spec, []))
    ai.scriptTranscription("голосом про вторник")
    const [talking, reviewing, speaking] = [learner(9101), learner(9102), learner(9103)]
    for (const l of [talking, reviewing, speaking]) await intoDialogue(l)
    await reviewing.send("Давай поговорим про вторник.")
    await reviewing.waitForTexts("the persona's answer", isPersonaLine)
    const bytes = makeOggOpus({ durationSec: 3 })
    tg.addFile(bytes, { fileId: "crash-voice", fileUniqueId: "CV1" })
    const voice = {
      file_id: "crash-voice",
      file_unique_id: "CV1",
      duration: 3,
      mime_type: "audio/ogg",
      file_size: bytes.byteLength,
    }

    const asked = (name: string) => requestsNamed(ai, name).length
    const before = asked("persona_reply")
    // The persona's line and every review sample take 8 s (the judge beside the persona is quick).
    ai.failNext({ kind: "delay", ms: 8000 }, 1, personaRequest)
    ai.failNext({ kind: "delay", ms: 8000 }, 3, reviewRequest)
    ai.failNext({ kind: "delay", ms: 8000 }, 1, "/audio/transcriptions")
    await talking.send("Давай поговорим про вторник.")
    await reviewing.send(kernelTexts.buttons.analysis)
    const messageId = tg.nextUserMessageId(speaking.id)
    await speaking.deliver(messageUpdate({ voice }, { chatId: speaking.id, userId: speaking.id, messageId }))
    // Typed while the voice line before it is still being heard: it waits for it, across the crash.
    await speaking.send("и текстом следом")
    await waitFor(
      "the three calls",
      () =>
        asked("persona_reply") === before + 1 &&
        asked("review") === 3 &&
        ai.requestsTo("/audio/transcriptions").length === 1,
    )
    await Bun.sleep(2000)
    bot().proc.kill("SIGKILL")
    await bot().exited
    await restart()

    await talking.waitForTexts("the persona's answer", isPersonaLine)
    await reviewing.waitForTexts("the review", isReview)
    await speaking.waitForTexts("the answers to the voice line and the text", isPersonaLine, 2)
    await settled()
    const shown = (l: ProcessLearner, match: (t: string) => boolean) =>
      l.screen().filter((m) => match(m.text ?? ""))
    expect(shown(talking, isPersonaLine)).toHaveLength(1)
    expect(shown(reviewing, isReview)).toHaveLength(1)
    expect(shown(speaking, isHeard)).toHaveLength(1)
    expect(shown(speaking, isPersonaLine)).toHaveLength(2)
    const lastLine = (body: unknown) =>
      (body as { messages: Array<{ content: string }> }).messages.at(-1)?.content
    const spoken = requestsNamed(ai, "persona_reply")
      .map((r) => lastLine(r.body))
      .filter((line) => line === "голосом про вторник" || line === "и текстом следом")
    expect(spoken).toEqual(["голосом про вторник", "и текстом следом"])
    // The dialogue goes on: the next line is answered as usual.
    await talking.send("Что скажешь?")
    await talking.waitForTexts("the second answer", isPersonaLine, 2)
  })

  test("SIGTERM (SHUTDOWN_TIMEOUT_SEC=3) during a 20 s call → exit 0 quickly; the next start answers once", async () => {
    const { ai, restart, bot, ...fixture } = await setUp({ SHUTDOWN_TIMEOUT_SEC: "3" })
    const learner = fixture.learner(9104)
    scriptRoleplay(ai, spec, [{ reply: "Ну, было дело." }])
    await intoDialogue(learner)
    ai.failNext({ kind: "delay", ms: 20_000 }, 1, personaRequest)
    await learner.send("Давай поговорим про вторник.")
    await waitFor("the persona request", () => requestsNamed(ai, "persona_reply").length === 1)
    const stopping = Date.now()
    bot().proc.kill("SIGTERM")
    expect(await bot().exited).toBe(0)
    expect(Date.now() - stopping).toBeLessThan(10_000)
    await restart()
    await learner.waitForTexts("the persona's answer", isPersonaLine)
    await settled()
    expect(learner.screen().filter((m) => isPersonaLine(m.text ?? ""))).toHaveLength(1)
  })

  test("lost twice (two kills mid-call) → no third call: «🔁 Повторить» once, and it brings the answer", async () => {
    const { ai, restart, bot, metrics, ...fixture } = await setUp()
    const learner = fixture.learner(9105)
    scriptRoleplay(ai, spec, [{ reply: "Наконец-то отвечаю." }])
    await intoDialogue(learner)
    ai.failNext({ kind: "hang" }, 2, personaRequest)
    await learner.send("Давай поговорим про вторник.")
    for (const call of [1, 2]) {
      await waitFor(`persona request ${call}`, () => requestsNamed(ai, "persona_reply").length === call)
      bot().proc.kill("SIGKILL")
      await bot().exited
      await restart()
    }
    const unavailable = visibleText(kernelTexts.personaUnavailable(spec))
    await learner.waitForTexts("the failure notice", (t) => t === unavailable)
    await settled()
    expect(requestsNamed(ai, "persona_reply")).toHaveLength(2)
    expect(learner.screen().filter((m) => m.text === unavailable)).toHaveLength(1)
    expect(await metrics()).toContain('bot_background_work_reissued_total{outcome="given_up"} 1')
    await learner.press(kernelTexts.buttons.retry)
    await learner.waitForTexts("the answer after «🔁 Повторить»", isPersonaLine)
    await settled()
    expect(learner.screen().filter((m) => isPersonaLine(m.text ?? ""))).toHaveLength(1)
  })
})
