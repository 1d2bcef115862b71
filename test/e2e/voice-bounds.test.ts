import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test"
import type { Update } from "grammy/types"
import { cases } from "../../src/cases/registry"
import { visibleText } from "../../src/core/html"
import { texts } from "../../src/nav/texts"
import { scriptRoleplay } from "../support/ai-script"
import { backends } from "../support/database"
import type { FakeBotApi } from "../support/fake-bot-api"
import { startFakeOpenAi } from "../support/fake-openai"
import { signIn, startBot, type TestBot, type TestUser, testEnv, textsOf } from "../support/harness"
import { makeOggOpus } from "../support/ogg-opus"
import { useProcessFixture } from "../support/process-fixture"
import { processLearner } from "../support/process-learner"
import { messageUpdate } from "../support/updates"
import { waitFor } from "../support/wait"

setDefaultTimeout(60_000)

const spec = cases[0]!
const personaPrefix = `${spec.persona.emoji} ${spec.persona.name}:`
const VOICE_ENV = { TRANSCRIBE_MAX_RETRIES: "0", VOICE_MAX_SIZE_MB: "5", VOICE_MAX_DURATION_SEC: "60" }

/**
 * A voice message as a client sends it: `declared` is what the message says (duration, size), while the file the
 * fake Bot API holds may be anything.
 */
const voiceMessage = (
  tg: FakeBotApi,
  userId: number,
  fileId: string,
  declared = { seconds: 4, bytes: 4000 },
): Update =>
  messageUpdate(
    {
      voice: {
        file_id: fileId,
        file_unique_id: `U-${fileId}`,
        duration: declared.seconds,
        mime_type: "audio/ogg",
        file_size: declared.bytes,
      },
    },
    { chatId: userId, userId, firstName: "Аня", messageId: tg.nextUserMessageId(userId) },
  )

const startCase = async (user: TestUser) => {
  await signIn(user)
  await user.send(`/${spec.commands.start}`)
}

const transcriptions = (bot: TestBot) => bot.ai.requestsTo("/audio/transcriptions")

describe.each(backends)("voice bounded by its real bytes (%s)", (backend) => {
  let bot: TestBot
  afterEach(async () => bot?.stop())

  test("getFile reports a file over VOICE_MAX_SIZE_MB → nothing downloaded, nothing transcribed, a clear refusal", async () => {
    bot = await startBot({ backend, env: VOICE_ENV })
    const user = bot.user(3601)
    await startCase(user)
    bot.tg.addFile(makeOggOpus({ durationSec: 4 }), {
      fileId: "big",
      fileUniqueId: "U-big",
      size: 12_000_000,
    })
    const shown = textsOf(await user.sendUpdate(voiceMessage(bot.tg, user.id, "big")))
    expect(shown).toEqual([texts.rejected("voice_too_big", 5)])
    expect(bot.tg.downloadsOf("big")).toBe(0)
    expect(transcriptions(bot)).toHaveLength(0)
  })

  test("getFile and the message say 4 KB, the download runs on → aborted past the limit, a clear refusal", async () => {
    bot = await startBot({ backend, env: VOICE_ENV })
    const user = bot.user(3602)
    await startCase(user)
    const bytes = makeOggOpus({ durationSec: 4 })
    bot.tg.addFile(bytes, { fileId: "liar", fileUniqueId: "U-liar", size: 4000, servedBytes: 50_000_000 })
    const shown = textsOf(await user.sendUpdate(voiceMessage(bot.tg, user.id, "liar")))
    expect(shown).toEqual([texts.rejected("voice_too_big", 5)])
    expect(bot.tg.downloadsOf("liar")).toBe(1)
    expect(transcriptions(bot)).toHaveLength(0)
  })

  test("declared 4 s, really 3 minutes (the Ogg container says so) → refused before transcription", async () => {
    bot = await startBot({ backend, env: VOICE_ENV })
    const user = bot.user(3603)
    await startCase(user)
    const long = makeOggOpus({ durationSec: 180 })
    bot.tg.addFile(long, { fileId: "long", fileUniqueId: "U-long" })
    const declared = { seconds: 4, bytes: long.byteLength }
    const shown = textsOf(await user.sendUpdate(voiceMessage(bot.tg, user.id, "long", declared)))
    expect(shown).toEqual([visibleText(texts.rejected("voice_too_long", 60))])
    expect(transcriptions(bot)).toHaveLength(0)
    // The dialogue is intact: a typed line is answered as usual.
    scriptRoleplay(bot.ai, spec, [{ reply: "Слушаю." }])
    expect(textsOf(await user.send("Давай текстом."))[0]).toStartWith(`${personaPrefix} Слушаю.`)
  })

  test("a voice waiting for an AI slot holds no bytes: downloaded only once the slot is free", async () => {
    bot = await startBot({ backend, env: { ...VOICE_ENV, AI_MAX_CONCURRENCY: "1" } })
    scriptRoleplay(bot.ai, spec, [{ reply: "Первый ответ." }, { reply: "Второй ответ." }])
    bot.ai.scriptTranscription("голосом")
    const [talking, speaking] = [bot.user(3604), bot.user(3605)]
    await startCase(talking)
    await startCase(speaking)
    bot.tg.addFile(makeOggOpus({ durationSec: 3 }), { fileId: "queued", fileUniqueId: "U-queued" })
    bot.ai.failNext({ kind: "delay", ms: 1500 }, 1, "/chat/completions")
    const talked = talking.send("Занимаю единственный слот.")
    await waitFor(
      "the persona call holding the slot",
      () => bot.ai.requestsTo("/chat/completions").length === 1,
    )
    const spoke = speaking.sendUpdate(voiceMessage(bot.tg, speaking.id, "queued"))
    await Bun.sleep(800)
    expect(bot.tg.downloadsOf("queued")).toBe(0)
    await Promise.all([talked, spoke])
    expect(bot.tg.downloadsOf("queued")).toBe(1)
    expect(transcriptions(bot)).toHaveLength(1)
  })
})

describe("a lying voice against a real process", () => {
  const fx = useProcessFixture()

  test("declared 4 KB / 4 s, served 200 MB → the bot's memory does not follow the file (aborted at the limit)", async () => {
    const tg = await fx.botApi()
    const ai = startFakeOpenAi()
    fx.onTeardown(() => ai.stop())
    const database = await fx.database("pglite")
    const bot = fx.spawn({
      ...testEnv(tg, database, "webhook", ai),
      LOG_LEVEL: "info",
      VOICE_MAX_SIZE_MB: "5",
    })
    const port = Number((await bot.waitForLog("bot started")).webhookPort)
    const learner = processLearner(tg, () => port, 3700)
    await learner.signIn((t) => t.startsWith("👋 Привет"))
    await learner.send(`/${spec.commands.start}`)
    await learner.waitForTexts("the algorithm", (t) => t === visibleText(spec.texts.algorithm))
    const peak = async () => {
      const status = await Bun.file(`/proc/${bot.proc.pid}/status`).text()
      return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024
    }
    const before = await peak()
    tg.addFile(makeOggOpus({ durationSec: 4 }), {
      fileId: "huge",
      fileUniqueId: "U-huge",
      size: 4000,
      servedBytes: 200_000_000,
    })
    await learner.deliver(voiceMessage(tg, learner.id, "huge"))
    await learner.waitForTexts("the refusal", (t) => t === texts.rejected("voice_too_big", 5))
    expect((await peak()) - before).toBeLessThan(60)
    expect(ai.requestsTo("/audio/transcriptions")).toHaveLength(0)
  })
})
