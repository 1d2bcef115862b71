import { afterAll, afterEach, describe, expect, setDefaultTimeout, test } from "bun:test"
import { Effect, Redacted } from "effect"
import {
  chainTranscribers,
  geminiTranscriber,
  openAiTranscriber,
  TRANSCRIBE_INSTRUCTION,
  type TranscriptionProvider,
} from "../../src/providers/transcription"
import { startFakeGemini } from "../support/fake-gemini"
import { isRecord } from "../support/fake-http"
import { startFakeOpenAi } from "../support/fake-openai"

setDefaultTimeout(30_000)

const openai = startFakeOpenAi()
const gemini = startFakeGemini()
afterEach(() => {
  openai.reset()
  gemini.reset()
})
afterAll(() => Promise.all([openai.stop(), gemini.stop()]))

const policy = { timeoutMs: 5_000, maxRetries: 1, backoffMs: 10 }
const viaOpenAi = (models = ["gpt-4o-transcribe", "whisper-1"]) =>
  openAiTranscriber({ apiKey: Redacted.make("sk-test"), baseUrl: `${openai.url}/v1`, models, ...policy })
const viaGemini = () =>
  geminiTranscriber({
    apiKey: Redacted.make("AIza-test"),
    baseUrl: gemini.url,
    model: "gemini-2.5-flash",
    ...policy,
  })

const VOICE = new Uint8Array(96).fill(7)
VOICE.set([0x4f, 0x67, 0x67, 0x53])
const transcribe = (t: TranscriptionProvider) =>
  Effect.runPromise(t.transcribe(VOICE, "audio/ogg", "voice.ogg"))
const failure = (t: TranscriptionProvider) =>
  Effect.runPromise(Effect.flip(t.transcribe(VOICE, "audio/ogg", "voice.ogg")))
const sttCalls = () => openai.requestsTo("/audio/transcriptions")
const field = (i: number, name: string): unknown => {
  const body = sttCalls()[i]?.body
  return isRecord(body) ? body[name] : undefined
}

describe("openAiTranscriber", () => {
  test("gpt-4o-transcribe: the voice note as a named multipart file, Russian, JSON; text trimmed", async () => {
    openai.scriptTranscription("  Добрый день, Ирина.  ")
    const transcript = await transcribe(viaOpenAi())
    expect(transcript).toMatchObject({
      text: "Добрый день, Ирина.",
      provider: "openai",
      model: "gpt-4o-transcribe",
    })
    expect(transcript.latencyMs).toBeGreaterThanOrEqual(0)
    expect(sttCalls()).toHaveLength(1)
    expect(field(0, "file")).toMatchObject({ filename: "voice.ogg", type: "audio/ogg", size: VOICE.length })
    expect(field(0, "model")).toBe("gpt-4o-transcribe")
    expect(field(0, "language")).toBe("ru")
    expect(field(0, "response_format")).toBe("json")
  })

  test("an empty text from the first model moves on to whisper-1", async () => {
    openai.scriptTranscription("", "Мне нужна помощь")
    expect(await transcribe(viaOpenAi())).toMatchObject({ text: "Мне нужна помощь", model: "whisper-1" })
    expect([field(0, "model"), field(1, "model")]).toEqual(["gpt-4o-transcribe", "whisper-1"])
  })

  test("errors follow the policy (transient retried, others not), then the next model is tried", async () => {
    openai.failNext({ kind: "status", status: 503 }, 2, "/audio/transcriptions")
    openai.scriptTranscription("после сбоя")
    expect(await transcribe(viaOpenAi())).toMatchObject({ text: "после сбоя", model: "whisper-1" })
    expect(sttCalls().map((_, i) => field(i, "model"))).toEqual([
      "gpt-4o-transcribe",
      "gpt-4o-transcribe",
      "whisper-1",
    ])
    openai.reset()
    openai.failNext({ kind: "status", status: 400 }, 1, "/audio/transcriptions")
    expect(await transcribe(viaOpenAi())).toMatchObject({ model: "whisper-1" })
    expect(sttCalls()).toHaveLength(2)
  })

  test("when every model fails: the last reason, every model's detail, no transcript text", async () => {
    openai.failNext({ kind: "status", status: 401 }, 1, "/audio/transcriptions")
    openai.failNext({ kind: "empty" }, 1, "/audio/transcriptions")
    const error = await failure(viaOpenAi())
    expect(error).toMatchObject({
      reason: "malformed",
      provider: "openai",
      detail: "gpt-4o-transcribe: HTTP 401 invalid_api_key, attempts 1; whisper-1: empty transcript",
    })
  })

  test("a slow model times out (each attempt aborted) and the next one answers", async () => {
    openai.failNext({ kind: "delay", ms: 2_000 }, 2, "/audio/transcriptions")
    const fast = openAiTranscriber({
      apiKey: Redacted.make("sk-test"),
      baseUrl: `${openai.url}/v1`,
      models: ["gpt-4o-transcribe", "whisper-1"],
      ...policy,
      timeoutMs: 50,
    })
    expect(await transcribe(fast)).toMatchObject({ model: "whisper-1" })
    expect(sttCalls()).toHaveLength(3)
  })
})

describe("geminiTranscriber", () => {
  test("sends the audio inline with its mime type and the Russian instruction as system text", async () => {
    gemini.script("  Я хотела обсудить сроки.\n")
    const transcript = await transcribe(viaGemini())
    expect(transcript).toMatchObject({
      text: "Я хотела обсудить сроки.",
      provider: "gemini",
      model: "gemini-2.5-flash",
    })
    expect(gemini.lastInlineData()).toEqual([{ mimeType: "audio/ogg", size: VOICE.length }])
    expect(gemini.lastSystemInstruction()).toBe(TRANSCRIBE_INSTRUCTION)
    expect(gemini.lastModel()).toBe("gemini-2.5-flash")
  })

  test("an empty transcript is a failure", async () => {
    gemini.script("")
    const error = await failure(viaGemini())
    expect(error).toMatchObject({ reason: "malformed", detail: "gemini-2.5-flash: empty transcript" })
  })
})

describe("chainTranscribers", () => {
  test("tries each transcriber in order and stops at the first transcript", async () => {
    openai.failNext({ kind: "status", status: 404 }, 2, "/audio/transcriptions")
    gemini.script("из Gemini")
    const chain = chainTranscribers([viaOpenAi(), viaGemini()])
    expect(await transcribe(chain)).toMatchObject({ text: "из Gemini", provider: "gemini" })
    expect(sttCalls()).toHaveLength(2)
    expect(gemini.modelRequests()).toHaveLength(1)
    const [lastOpenAi, geminiCall] = [sttCalls()[1]?.at ?? 0, gemini.modelRequests()[0]?.at ?? 0]
    expect(geminiCall).toBeGreaterThanOrEqual(lastOpenAi)
    openai.reset()
    gemini.reset()
    openai.scriptTranscription("из OpenAI")
    expect(await transcribe(chain)).toMatchObject({ text: "из OpenAI", provider: "openai" })
    expect(gemini.modelRequests()).toHaveLength(0)
  })

  test("all failing → every step's detail; an empty chain → no_provider", async () => {
    openai.failNext({ kind: "empty" }, 2, "/audio/transcriptions")
    gemini.failNext({ kind: "status", status: 400 })
    const error = await failure(chainTranscribers([viaOpenAi(), viaGemini()]))
    expect(error).toMatchObject({ reason: "refused", provider: "gemini" })
    expect(error.detail).toBe(
      "gpt-4o-transcribe: empty transcript; whisper-1: empty transcript; " +
        "gemini-2.5-flash: HTTP 400 INVALID_ARGUMENT, attempts 1",
    )
    expect(await failure(chainTranscribers([]))).toMatchObject({ reason: "no_provider" })
  })
})
