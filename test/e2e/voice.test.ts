import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test"
import type { Update } from "grammy/types"
import { kernelTexts } from "../../src/cases/kernel/texts"
import { cases } from "../../src/cases/registry"
import { visibleText } from "../../src/core/html"
import { texts as appTexts } from "../../src/nav/texts"
import { reviewOf, scriptRoleplay } from "../support/ai-script"
import { backends } from "../support/database"
import type { RecordedFile, RecordedRequest } from "../support/fake-openai"
import { signIn, startBot, type TestBot, type TestUser, textsOf } from "../support/harness"
import { makeOggOpus } from "../support/ogg-opus"
import { messageUpdate, textUpdate } from "../support/updates"

// Each file boots the real app; bun applies setDefaultTimeout only to the file that calls it.
setDefaultTimeout(30_000)

const spec = cases[0]!
const personaPrefix = `${spec.persona.emoji} ${spec.persona.name}:`
const heard = (text: string) => visibleText(kernelTexts.heard(text))
/** Retries and their pauses off: a failing transcription model fails at once. */
const VOICE_ENV = { TRANSCRIBE_MAX_RETRIES: "0", TRANSCRIBE_RETRY_BACKOFF_SEC: "0" }

const startCase = async (user: TestUser) => {
  expect(textsOf(await user.send(`/${spec.commands.start}`))).toEqual([visibleText(spec.texts.algorithm)])
}

/** A signed-in learner with the case's dialogue open. */
const learnerInCase = async (bot: TestBot, id: number) => {
  const user = bot.user(id)
  await signIn(user)
  await startCase(user)
  return user
}

type MediaKind = "voice" | "audio" | "video_note"

interface MediaOptions {
  readonly fileId: string
  readonly fileUniqueId: string
  readonly duration: number
  readonly size: number
  readonly kind?: MediaKind
  /** Left out for a video note: Telegram sends none for those. */
  readonly mime?: string
}

/** A voice note / audio file / video note from this user, shaped like Telegram sends it. */
const mediaUpdate = (bot: TestBot, user: TestUser, o: MediaOptions): Update => {
  const ids = { file_id: o.fileId, file_unique_id: o.fileUniqueId }
  const kind = o.kind ?? "voice"
  const fields =
    kind === "voice"
      ? { voice: { ...ids, duration: o.duration, mime_type: o.mime ?? "audio/ogg", file_size: o.size } }
      : kind === "audio"
        ? {
            audio: {
              ...ids,
              duration: o.duration,
              mime_type: o.mime ?? "audio/mpeg",
              file_size: o.size,
              file_name: "recording.mp3",
            },
          }
        : { video_note: { ...ids, length: 384, duration: o.duration, file_size: o.size } }
  return messageUpdate(fields, {
    chatId: user.id,
    userId: user.id,
    firstName: "Аня",
    messageId: bot.tg.nextUserMessageId(user.id),
  })
}

/** A real Ogg/Opus note registered in the fake Bot API, and the update that carries it. */
const voiceNote = (
  bot: TestBot,
  user: TestUser,
  o: { durationSec: number; fileId: string; fileUniqueId: string; size?: number },
) => {
  const bytes = makeOggOpus({ durationSec: o.durationSec })
  bot.tg.addFile(bytes, {
    fileId: o.fileId,
    fileUniqueId: o.fileUniqueId,
    ...(o.size === undefined ? {} : { size: o.size }),
  })
  const update = mediaUpdate(bot, user, {
    fileId: o.fileId,
    fileUniqueId: o.fileUniqueId,
    duration: o.durationSec,
    size: o.size ?? bytes.byteLength,
  })
  return { bytes, update }
}

const transcriptions = (bot: TestBot) => bot.ai.requestsTo("/audio/transcriptions")
const fieldsOf = (r: RecordedRequest) => r.body as Record<string, unknown>
const uploadOf = (r: RecordedRequest) => fieldsOf(r).file as RecordedFile

const schemaName = (r: RecordedRequest): string | undefined =>
  (r.body as { response_format?: { json_schema?: { name?: string } } } | undefined)?.response_format
    ?.json_schema?.name
const personaRequests = (bot: TestBot) =>
  bot.ai.requestsTo("/chat/completions").filter((r) => schemaName(r) === "persona_reply")
const lastUserLine = (r: RecordedRequest) =>
  (r.body as { messages: Array<{ role: string; content: string }> }).messages.at(-1)

const personaLines = (user: TestUser) => textsOf(user.screen()).filter((t) => t.startsWith(personaPrefix))

const dialogueCalls = (bot: TestBot, userId: number) =>
  bot.app.db
    .selectFrom("ai_calls")
    .select(["channel", "provider", "model", "outcome"])
    .where("user_id", "=", userId)
    .orderBy("id")
    .execute()

describe.each(backends)("voice input end to end (%s)", (backend) => {
  let bot: TestBot
  afterEach(async () => bot?.stop())

  test("a voice note: downloaded, transcribed in Russian, echoed before the persona's line, counted as a turn", async () => {
    bot = await startBot({ backend, env: VOICE_ENV })
    const keys = spec.methodology.components.map((c) => c.key)
    scriptRoleplay(
      bot.ai,
      spec,
      [{ reply: "Слышу тебя.", covered: keys.slice(0, 1) }, { reply: "Понял." }],
      reviewOf(spec, keys.slice(0, 1)),
    )
    bot.ai.scriptTranscription("Евгений, давай поговорим о сроках")
    const user = await learnerInCase(bot, 3001)

    const { bytes, update } = voiceNote(bot, user, { durationSec: 3, fileId: "voice-1", fileUniqueId: "U1" })
    expect(bytes.byteLength).toBeGreaterThan(0)
    expect(update.message?.voice).toMatchObject({ duration: 3, file_size: bytes.byteLength })
    const shown = textsOf(await user.sendUpdate(update))

    // Downloaded through getFile, then transcribed once, with the very bytes Telegram stored.
    expect(bot.tg.callsOf("getFile").map((c) => c.params.file_id)).toEqual(["voice-1"])
    expect(transcriptions(bot)).toHaveLength(1)
    const request = transcriptions(bot)[0]!
    expect(fieldsOf(request).language).toBe("ru")
    expect(fieldsOf(request).model).toBe("gpt-4o-transcribe")
    const upload = uploadOf(request)
    expect(upload.type).toBe("audio/ogg")
    expect(upload.filename).toEndWith(".ogg")
    expect(Buffer.from(upload.bytes).equals(Buffer.from(bytes))).toBe(true)
    expect(String.fromCharCode(...upload.bytes.subarray(0, 4))).toBe("OggS")

    // «🎤 Распознано» first, then the persona, who was asked about exactly the transcript.
    expect(shown).toHaveLength(2)
    expect(shown[0]).toBe(heard("Евгений, давай поговорим о сроках"))
    expect(shown[1]).toStartWith(`${personaPrefix} Слышу тебя.`)
    expect(shown[1]).toContain(`реплика 1 из ${spec.maxTurns}`)
    expect(personaRequests(bot)).toHaveLength(1)
    expect(lastUserLine(personaRequests(bot)[0]!)).toEqual({
      role: "user",
      content: "Евгений, давай поговорим о сроках",
    })
    // The persona and the judge of the transcript run side by side, after the transcription.
    const calls = await dialogueCalls(bot, 3001)
    expect(calls[0]).toEqual({
      channel: "transcription",
      provider: "openai",
      model: "gpt-4o-transcribe",
      outcome: "ok",
    })
    expect(calls.slice(1).sort((a, b) => a.channel.localeCompare(b.channel))).toEqual([
      { channel: "dialogue", provider: "openai", model: "gpt-5-mini", outcome: "ok" },
      { channel: "judge", provider: "openai", model: "gpt-5-mini", outcome: "ok" },
    ])

    // A typed line afterwards is turn 2; the history carries the transcript as the learner's first line.
    const typed = textsOf(await user.send("Когда сможешь сдать отчёт?"))
    expect(typed[0]).toStartWith(`${personaPrefix} Понял.`)
    expect(typed[0]).toContain(`реплика 2 из ${spec.maxTurns}`)
    const history = (
      personaRequests(bot).at(-1)!.body as { messages: Array<{ role: string; content: string }> }
    ).messages
    expect(history.filter((m) => m.role === "user").map((m) => m.content)).toEqual([
      "Евгений, давай поговорим о сроках",
      "Когда сможешь сдать отчёт?",
    ])
    await user.send(kernelTexts.buttons.analysis)
    const attempts = await bot.app.db
      .selectFrom("case_attempts")
      .select(["outcome", "turns"])
      .where("user_id", "=", 3001)
      .execute()
    expect(attempts).toEqual([{ outcome: "manual", turns: 2 }])
  })

  test("the same voice again (same file_unique_id, another file_id) → transcript from the cache, answered normally", async () => {
    bot = await startBot({ backend, env: VOICE_ENV })
    scriptRoleplay(bot.ai, spec, [{ reply: "Раз." }, { reply: "Два." }])
    bot.ai.scriptTranscription("Повтори, пожалуйста")
    const user = await learnerInCase(bot, 3002)
    const first = voiceNote(bot, user, { durationSec: 3, fileId: "voice-first", fileUniqueId: "U1" })
    expect(textsOf(await user.sendUpdate(first.update))[0]).toBe(heard("Повтори, пожалуйста"))
    const cached = await bot.app.db
      .selectFrom("voice_transcripts")
      .select(["file_unique_id", "transcript", "provider", "model"])
      .execute()
    expect(cached).toEqual([
      {
        file_unique_id: "U1",
        transcript: "Повтори, пожалуйста",
        provider: "openai",
        model: "gpt-4o-transcribe",
      },
    ])

    // Forwarded or re-sent: Telegram gives a new file_id for the same file_unique_id.
    bot.tg.addFile(first.bytes, { fileId: "voice-second", fileUniqueId: "U1" })
    const again = mediaUpdate(bot, user, {
      fileId: "voice-second",
      fileUniqueId: "U1",
      duration: 3,
      size: first.bytes.byteLength,
    })
    const shown = textsOf(await user.sendUpdate(again))
    expect(shown[0]).toBe(heard("Повтори, пожалуйста"))
    expect(shown[1]).toStartWith(`${personaPrefix} Два.`)
    expect(shown[1]).toContain(`реплика 2 из ${spec.maxTurns}`)
    expect(transcriptions(bot)).toHaveLength(1)
    expect(bot.tg.callsOf("getFile")).toHaveLength(1)
    expect(personaRequests(bot).map((r) => lastUserLine(r)?.content)).toEqual([
      "Повтори, пожалуйста",
      "Повтори, пожалуйста",
    ])
  })

  test("too long, too short and too big voices → friendly refusals, nothing downloaded or transcribed", async () => {
    bot = await startBot({
      backend,
      env: {
        ...VOICE_ENV,
        VOICE_MAX_DURATION_SEC: "10",
        VOICE_MIN_DURATION_SEC: "2",
        VOICE_MAX_SIZE_MB: "0.1",
      },
    })
    scriptRoleplay(bot.ai, spec, [{ reply: "Слушаю." }])
    const user = await learnerInCase(bot, 3003)

    const long = voiceNote(bot, user, { durationSec: 11, fileId: "long", fileUniqueId: "L1" })
    expect(textsOf(await user.sendUpdate(long.update))).toEqual([appTexts.rejected("voice_too_long", 10)])
    const short = voiceNote(bot, user, { durationSec: 1, fileId: "short", fileUniqueId: "S1" })
    expect(textsOf(await user.sendUpdate(short.update))).toEqual([appTexts.rejected("voice_too_short", 2)])
    // 200 kB claimed by Telegram (and served by getFile, were it asked) against a 0.1 MB limit.
    const big = voiceNote(bot, user, { durationSec: 5, fileId: "big", fileUniqueId: "B1", size: 200_000 })
    const refusedBig = textsOf(await user.sendUpdate(big.update))
    expect(refusedBig).toHaveLength(1)
    expect(refusedBig[0]).toStartWith("🎤 Файл слишком большой")

    expect(bot.tg.callsOf("getFile")).toEqual([])
    expect(transcriptions(bot)).toEqual([])
    expect(personaRequests(bot)).toEqual([])
    // The dialogue is still open and nothing was counted: the next typed line is turn 1.
    const typed = textsOf(await user.send("Тогда текстом"))
    expect(typed[0]).toStartWith(`${personaPrefix} Слушаю.`)
    expect(typed[0]).toContain(`реплика 1 из ${spec.maxTurns}`)
  })

  test("the too-big refusal names the configured limit (VOICE_MAX_SIZE_MB=0.1), not «больше 0 МБ»", async () => {
    bot = await startBot({ backend, env: { ...VOICE_ENV, VOICE_MAX_SIZE_MB: "0.1" } })
    scriptRoleplay(bot.ai, spec, [])
    const user = await learnerInCase(bot, 3013)
    const big = voiceNote(bot, user, { durationSec: 5, fileId: "big", fileUniqueId: "B1", size: 200_000 })
    const refused = textsOf(await user.sendUpdate(big.update))
    expect(refused).toHaveLength(1)
    expect(refused[0]).not.toContain("больше 0 МБ")
    expect(refused[0]).toMatch(/0[.,]1 МБ/)
  })

  test("an empty transcript from every model → no persona request, nothing counted, the dialogue goes on", async () => {
    bot = await startBot({ backend, env: VOICE_ENV })
    scriptRoleplay(bot.ai, spec, [{ reply: "Теперь слышу." }])
    // Both OpenAI models of the default chain hear nothing (no Gemini key: its step is skipped).
    bot.ai.scriptTranscription("", "")
    const user = await learnerInCase(bot, 3004)
    const silent = voiceNote(bot, user, { durationSec: 3, fileId: "silent", fileUniqueId: "E1" })
    const shown = textsOf(await user.sendUpdate(silent.update))
    expect(shown).toHaveLength(1)
    expect(shown[0]).toStartWith("🎤 ")
    expect(transcriptions(bot).map((r) => fieldsOf(r).model)).toEqual(["gpt-4o-transcribe", "whisper-1"])
    expect(personaRequests(bot)).toEqual([])
    expect(personaLines(user)).toEqual([])
    expect(await bot.app.db.selectFrom("voice_transcripts").selectAll().execute()).toEqual([])
    expect((await dialogueCalls(bot, 3004)).filter((c) => c.channel === "dialogue")).toEqual([])
    const typed = textsOf(await user.send("Скажу текстом"))
    expect(typed[0]).toStartWith(`${personaPrefix} Теперь слышу.`)
    expect(typed[0]).toContain(`реплика 1 из ${spec.maxTurns}`)
  })

  test("an empty transcript → kernelTexts.notHeard (ask to speak up), not the service-failure text", async () => {
    bot = await startBot({ backend, env: VOICE_ENV })
    scriptRoleplay(bot.ai, spec, [])
    bot.ai.scriptTranscription("", "")
    const user = await learnerInCase(bot, 3014)
    const silent = voiceNote(bot, user, { durationSec: 3, fileId: "silent", fileUniqueId: "E2" })
    expect(textsOf(await user.sendUpdate(silent.update))).toEqual([kernelTexts.notHeard])
  })

  test("an audio file and a video note in a dialogue are transcribed the same way, with their own mime types", async () => {
    bot = await startBot({ backend, env: VOICE_ENV })
    scriptRoleplay(bot.ai, spec, [{ reply: "Про аудио." }, { reply: "Про кружок." }])
    bot.ai.scriptTranscription("Это аудиофайл", "Это кружок")
    const user = await learnerInCase(bot, 3005)

    const mp3 = new Uint8Array([0x49, 0x44, 0x33, 3, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4])
    bot.tg.addFile(mp3, { fileId: "audio-1", fileUniqueId: "A1" })
    const audio = mediaUpdate(bot, user, {
      kind: "audio",
      fileId: "audio-1",
      fileUniqueId: "A1",
      duration: 4,
      size: mp3.byteLength,
    })
    const shownAudio = textsOf(await user.sendUpdate(audio))
    expect(shownAudio[0]).toBe(heard("Это аудиофайл"))
    expect(shownAudio[1]).toStartWith(`${personaPrefix} Про аудио.`)
    const audioUpload = uploadOf(transcriptions(bot)[0]!)
    expect(audioUpload.type).toBe("audio/mpeg")
    expect(audioUpload.filename).toEndWith(".mp3")
    expect(Buffer.from(audioUpload.bytes).equals(Buffer.from(mp3))).toBe(true)

    const mp4 = new Uint8Array([0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70, 0x6d, 0x70, 0x34, 0x32])
    bot.tg.addFile(mp4, { fileId: "round-1", fileUniqueId: "V1" })
    const round = mediaUpdate(bot, user, {
      kind: "video_note",
      fileId: "round-1",
      fileUniqueId: "V1",
      duration: 6,
      size: mp4.byteLength,
    })
    const shownRound = textsOf(await user.sendUpdate(round))
    expect(shownRound[0]).toBe(heard("Это кружок"))
    expect(shownRound[1]).toStartWith(`${personaPrefix} Про кружок.`)
    expect(shownRound[1]).toContain(`реплика 2 из ${spec.maxTurns}`)
    const roundUpload = uploadOf(transcriptions(bot)[1]!)
    expect(roundUpload.type).toBe("video/mp4")
    expect(roundUpload.filename).toEndWith(".mp4")
    expect(Buffer.from(roundUpload.bytes).equals(Buffer.from(mp4))).toBe(true)
    expect(bot.tg.callsOf("getFile").map((c) => c.params.file_id)).toEqual(["audio-1", "round-1"])
    expect(personaRequests(bot).map((r) => lastUserLine(r)?.content)).toEqual(["Это аудиофайл", "Это кружок"])
  })

  test("a voice outside a dialogue (signed in, idle) → the hint, nothing downloaded", async () => {
    bot = await startBot({ backend, env: VOICE_ENV })
    const user = bot.user(3006)
    await signIn(user)
    const note = voiceNote(bot, user, { durationSec: 3, fileId: "idle-voice", fileUniqueId: "I1" })
    expect(textsOf(await user.sendUpdate(note.update))).toEqual([appTexts.unsupported.voice])
    expect(bot.tg.callsOf("getFile")).toEqual([])
    expect(bot.ai.requests).toEqual([])
  })

  test("transcription failing on every model → kept for a retry; the dialogue continues with a typed line", async () => {
    bot = await startBot({ backend, env: VOICE_ENV })
    scriptRoleplay(bot.ai, spec, [{ reply: "Ага, текстом понятнее." }])
    bot.ai.failNext({ kind: "status", status: 500 }, 2, "/audio/transcriptions")
    const user = await learnerInCase(bot, 3007)
    const note = voiceNote(bot, user, { durationSec: 3, fileId: "fail-voice", fileUniqueId: "F1" })
    expect(textsOf(await user.sendUpdate(note.update))).toEqual([visibleText(kernelTexts.voiceFailedKept)])
    expect(transcriptions(bot).map((r) => fieldsOf(r).model)).toEqual(["gpt-4o-transcribe", "whisper-1"])
    expect(personaRequests(bot)).toEqual([])
    expect(await bot.app.db.selectFrom("voice_transcripts").selectAll().execute()).toEqual([])

    const typed = textsOf(await user.send("Скажу текстом"))
    expect(typed).toHaveLength(1)
    expect(typed[0]).toStartWith(`${personaPrefix} Ага, текстом понятнее.`)
    expect(typed[0]).toContain(`реплика 1 из ${spec.maxTurns}`)
  })

  test("a line typed while the voice note before it is still transcribed waits: the persona hears them in order", async () => {
    bot = await startBot({ backend, env: VOICE_ENV })
    scriptRoleplay(bot.ai, spec, [{ reply: "Про голос понял." }, { reply: "И про текст." }])
    bot.ai.scriptTranscription("сначала голосом")
    bot.ai.failNext({ kind: "delay", ms: 1500 }, 1, "/audio/transcriptions")
    const user = await learnerInCase(bot, 3021)
    const note = voiceNote(bot, user, { durationSec: 3, fileId: "slow-voice", fileUniqueId: "S1" })
    await bot.deliver(note.update)
    await bot.deliver(
      textUpdate("потом текстом", {
        chatId: user.id,
        userId: user.id,
        messageId: bot.tg.nextUserMessageId(user.id),
      }),
    )
    await bot.app.whenIdle(20_000)
    expect(personaRequests(bot).map((r) => lastUserLine(r)?.content)).toEqual([
      "сначала голосом",
      "потом текстом",
    ])
    const shown = textsOf(user.screen())
    expect(shown.indexOf(heard("сначала голосом"))).toBeLessThan(
      shown.findIndex((t) => t.startsWith(`${personaPrefix} Про голос понял.`)),
    )
  })

  test("a voice note the service could not hear is kept: «🔁 Распознать ещё раз» hears it and the persona answers", async () => {
    bot = await startBot({ backend, env: VOICE_ENV })
    scriptRoleplay(bot.ai, spec, [{ reply: "Теперь слышу." }])
    bot.ai.scriptTranscription("со второй попытки")
    bot.ai.failNext({ kind: "status", status: 500 }, 2, "/audio/transcriptions")
    const user = await learnerInCase(bot, 3022)
    const note = voiceNote(bot, user, { durationSec: 3, fileId: "retry-voice", fileUniqueId: "R1" })
    expect(textsOf(await user.sendUpdate(note.update))).toEqual([visibleText(kernelTexts.voiceFailedKept)])
    const again = textsOf((await user.press(kernelTexts.buttons.rehear)).messages)
    expect(again[0]).toBe(heard("со второй попытки"))
    expect(again[1]).toStartWith(`${personaPrefix} Теперь слышу.`)
    expect(personaRequests(bot).map((r) => lastUserLine(r)?.content)).toEqual(["со второй попытки"])
    // Heard once: the button under the old notice asks for nothing more.
    const stale = await user.press(kernelTexts.buttons.rehear)
    expect(stale.answer?.params).toMatchObject({ show_alert: true })
    expect(transcriptions(bot)).toHaveLength(3)
  })

  test("a failed transcription is recorded in ai_calls like any failed model call", async () => {
    bot = await startBot({ backend, env: VOICE_ENV })
    scriptRoleplay(bot.ai, spec, [])
    bot.ai.failNext({ kind: "status", status: 500 }, 2, "/audio/transcriptions")
    const user = await learnerInCase(bot, 3017)
    const note = voiceNote(bot, user, { durationSec: 3, fileId: "fail-voice", fileUniqueId: "F7" })
    expect(textsOf(await user.sendUpdate(note.update))).toEqual([visibleText(kernelTexts.voiceFailedKept)])
    const rows = (await dialogueCalls(bot, 3017)).filter((c) => c.channel === "transcription")
    expect(rows.length).toBeGreaterThan(0)
    expect(rows.every((r) => r.outcome !== "ok")).toBe(true)
  })

  test("VOICE_REPLIES=true → the persona's line is also sent as an OGG voice note in the persona's voice", async () => {
    bot = await startBot({ backend, env: { ...VOICE_ENV, VOICE_REPLIES: "true" } })
    scriptRoleplay(bot.ai, spec, [{ reply: "Скажу вслух." }])
    const user = await learnerInCase(bot, 3008)
    const shown = textsOf(await user.send("Привет"))
    expect(shown[0]).toStartWith(`${personaPrefix} Скажу вслух.`)
    const sent = await bot.tg.waitFor("sendVoice", (c) => c.status === 200)
    expect(sent.params.chat_id).toBe(3008)
    const speech = bot.ai.requestsTo("/audio/speech")
    expect(speech).toHaveLength(1)
    expect(speech[0]!.body).toMatchObject({
      voice: spec.persona.voice,
      input: "Скажу вслух.",
      response_format: "opus",
    })
    const voices = bot.tg.chat(3008).filter((m) => m.kind === "voice")
    expect(voices).toHaveLength(1)
    const bytes = voices[0]!.file!.bytes
    expect(String.fromCharCode(...bytes.subarray(0, 4))).toBe("OggS")
  })
})
