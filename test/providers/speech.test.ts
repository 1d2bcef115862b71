import { afterAll, afterEach, describe, expect, setDefaultTimeout, test } from "bun:test"
import { Effect, Redacted } from "effect"
import { openAiSpeech } from "../../src/providers/speech"
import { startFakeOpenAi } from "../support/fake-openai"

setDefaultTimeout(30_000)

const fake = startFakeOpenAi()
afterEach(() => fake.reset())
afterAll(() => fake.stop())

const speech = (maxRetries = 1) =>
  openAiSpeech({
    apiKey: Redacted.make("sk-test"),
    baseUrl: `${fake.url}/v1`,
    timeoutMs: 5_000,
    maxRetries,
    backoffMs: 10,
  })
const calls = () => fake.requestsTo("/audio/speech")

describe("openAiSpeech", () => {
  test("returns OGG/Opus bytes; the request names the model, the voice and the opus format", async () => {
    const bytes = await Effect.runPromise(speech().synthesize("Добрый день!", "coral"))
    expect(new TextDecoder().decode(bytes.slice(0, 4))).toBe("OggS")
    expect(calls()).toHaveLength(1)
    expect(calls()[0]?.body).toMatchObject({
      model: "gpt-4o-mini-tts",
      voice: "coral",
      input: "Добрый день!",
      response_format: "opus",
    })
  })

  test("a transient failure is retried; empty audio is malformed", async () => {
    fake.failNext({ kind: "status", status: 503 })
    const bytes = await Effect.runPromise(speech().synthesize("Текст", "alloy"))
    expect(bytes.length).toBeGreaterThan(0)
    expect(calls()).toHaveLength(2)
    fake.failNext({ kind: "empty" })
    const error = await Effect.runPromise(Effect.flip(speech().synthesize("Текст", "alloy")))
    expect(error).toMatchObject({ reason: "malformed", provider: "openai", detail: "empty audio" })
  })
})
