import { afterAll, afterEach, describe, expect, test } from "bun:test"
import OpenAI, { toFile } from "openai"
import { isRecord } from "./fake-http"
import { startFakeOpenAi } from "./fake-openai"

const { APIConnectionTimeoutError, APIError, AuthenticationError, RateLimitError } = OpenAI
const fake = startFakeOpenAi()
afterEach(() => fake.reset())
afterAll(() => fake.stop())

type Tweaks = { maxRetries?: number; timeout?: number }
// logLevel "off": the SDK logs malformed SSE frames before throwing.
const client = (tweaks: Tweaks = {}) =>
  new OpenAI({ apiKey: "sk-test", baseURL: `${fake.url}/v1`, maxRetries: 0, logLevel: "off", ...tweaks })

const messages = [{ role: "user" as const, content: "Привет" }]

// Awaiting inside try/catch: bun's `expect().rejects` misreads the SDK's APIPromise (a Promise subclass).
async function failure(run: () => PromiseLike<unknown>): Promise<unknown> {
  try {
    await run()
  } catch (error) {
    return error
  }
  return undefined
}

const chatFailure = (tweaks: Tweaks = {}) =>
  failure(() => client(tweaks).chat.completions.create({ model: "m", messages }))

describe("fake OpenAI: happy paths with the real SDK", () => {
  test("chat completion echoes the model, returns the scripted text and usage", async () => {
    fake.script({ text: "Здравствуйте!", usage: { input: 11, output: 3 } })
    const completion = await client().chat.completions.create({ model: "gpt-4o-mini", messages })
    expect(completion.choices[0]?.message.content).toBe("Здравствуйте!")
    expect(completion.model).toBe("gpt-4o-mini")
    expect(completion.usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 3, total_tokens: 14 })
    const recorded = fake.lastRequest("/chat/completions")
    expect(recorded?.headers.authorization).toBe("Bearer sk-test")
    expect(recorded?.body).toMatchObject({ model: "gpt-4o-mini", messages })
  })

  test("default answer is 'ok' when nothing is scripted; the responder sees the request", async () => {
    const first = await client().chat.completions.create({ model: "m", messages })
    expect(first.choices[0]?.message.content).toBe("ok")
    fake.setResponder((req) => (isRecord(req.body) ? `echo ${String(req.body.model)}` : undefined))
    const second = await client().chat.completions.create({ model: "m2", messages })
    expect(second.choices[0]?.message.content).toBe("echo m2")
  })

  test("streaming splits the text into chunks and ends with a usage chunk", async () => {
    fake.script({ text: "раз два три четыре", usage: { input: 5, output: 4 } })
    const stream = await client().chat.completions.create({
      model: "gpt-4o-mini",
      messages,
      stream: true,
      stream_options: { include_usage: true },
    })
    const deltas: string[] = []
    let usage: OpenAI.CompletionUsage | null | undefined
    for await (const chunk of stream) {
      deltas.push(chunk.choices[0]?.delta.content ?? "")
      if (chunk.usage) usage = chunk.usage
    }
    expect(deltas.join("")).toBe("раз два три четыре")
    expect(deltas.filter((d) => d !== "").length).toBeGreaterThan(1)
    expect(usage?.total_tokens).toBe(9)
  })

  test("json_schema response_format is recorded and an object answer is stringified", async () => {
    fake.script({ score: 4, comment: "хорошо" })
    const responseFormat = {
      type: "json_schema" as const,
      json_schema: {
        name: "grade",
        strict: true,
        schema: { type: "object", properties: { score: { type: "number" } }, required: ["score"] },
      },
    }
    const completion = await client().chat.completions.create({
      model: "gpt-4o-mini",
      messages,
      response_format: responseFormat,
    })
    expect(JSON.parse(completion.choices[0]?.message.content ?? "")).toEqual({ score: 4, comment: "хорошо" })
    expect(fake.lastRequest()?.body).toMatchObject({ response_format: responseFormat })
  })

  test("responses.create exposes output_text", async () => {
    fake.script("ответ")
    const response = await client().responses.create({
      model: "gpt-4.1-mini",
      input: "вопрос",
      instructions: "sys",
    })
    expect(response.output_text).toBe("ответ")
    expect(response.usage?.total_tokens).toBeGreaterThan(0)
    expect(fake.requestsTo("/v1/responses")).toHaveLength(1)
  })

  test("transcription records the multipart file and returns the scripted transcript", async () => {
    fake.scriptTranscription("первая")
    const bytes = new Uint8Array([0x4f, 0x67, 0x67, 0x53, 1, 2, 3, 4, 5])
    const file = await toFile(bytes, "voice.ogg", { type: "audio/ogg" })
    const result = await client().audio.transcriptions.create({ model: "whisper-1", file, language: "ru" })
    expect(result.text).toBe("первая")
    const body = fake.lastRequest("/audio/transcriptions")?.body
    expect(body).toMatchObject({
      model: "whisper-1",
      language: "ru",
      file: { filename: "voice.ogg", size: 9 },
    })
    const recordedFile = isRecord(body) ? body.file : undefined
    expect(isRecord(recordedFile) && recordedFile.bytes).toEqual(bytes)
    const plain = await client().audio.transcriptions.create({
      model: "whisper-1",
      file,
      response_format: "text",
    })
    expect(plain).toBe("тестовая расшифровка")
  })

  test("speech returns ogg bytes for opus", async () => {
    const speech = await client().audio.speech.create({
      model: "gpt-4o-mini-tts",
      voice: "alloy",
      input: "Привет",
      response_format: "opus",
    })
    expect(speech.headers.get("content-type")).toBe("audio/ogg")
    const bytes = new Uint8Array(await speech.arrayBuffer())
    expect(new TextDecoder().decode(bytes.slice(0, 4))).toBe("OggS")
    expect(fake.lastRequest("/audio/speech")?.body).toMatchObject({ voice: "alloy", response_format: "opus" })
  })
})

describe("fake OpenAI: faults as the SDK sees them", () => {
  test("a missing API key is a 401 AuthenticationError", async () => {
    const res = await fetch(`${fake.url}/v1/chat/completions`, { method: "POST", body: "{}" })
    expect(res.status).toBe(401)
    expect(await res.json()).toMatchObject({
      error: { type: "invalid_request_error", code: "invalid_api_key" },
    })
    const noAuth = { headers: { authorization: null } }
    const error = await failure(() => client().chat.completions.create({ model: "m", messages }, noAuth))
    expect(error).toBeInstanceOf(AuthenticationError)
  })

  test("429 with retry-after is retried and the next scripted answer wins", async () => {
    fake.failNext({ kind: "status", status: 429, retryAfterSec: 0 })
    fake.script("after retry")
    const completion = await client({ maxRetries: 1 }).chat.completions.create({ model: "m", messages })
    expect(completion.choices[0]?.message.content).toBe("after retry")
    expect(fake.requestsTo("/chat/completions")).toHaveLength(2)
  })

  test("429 without retries surfaces as RateLimitError carrying the retry-after header", async () => {
    fake.failNext({ kind: "status", status: 429, retryAfterSec: 7 })
    const error = await chatFailure()
    expect(error).toBeInstanceOf(RateLimitError)
    expect(error instanceof APIError && error.headers?.get("retry-after")).toBe("7")
    expect(error instanceof APIError && error.code).toBe("rate_limit_exceeded")
  })

  test("500 with maxRetries 0 is an APIError with status 500", async () => {
    fake.failNext({ kind: "status", status: 500 })
    const error = await chatFailure()
    expect(error).toBeInstanceOf(APIError)
    expect(error instanceof APIError && error.status).toBe(500)
    expect(error instanceof APIError && error.type).toBe("server_error")
  })

  test("a delay past the SDK timeout is an APIConnectionTimeoutError", async () => {
    fake.failNext({ kind: "delay", ms: 1000 })
    fake.script("too late")
    const error = await chatFailure({ timeout: 100 })
    expect(error).toBeInstanceOf(APIConnectionTimeoutError)
    // The abandoned request must not eat the scripted answer.
    const next = await client().chat.completions.create({ model: "m", messages })
    expect(next.choices[0]?.message.content).toBe("too late")
  })

  test("a hang lasts until the client aborts, then the request leaves flight", async () => {
    fake.failNext({ kind: "hang" }, 1, "/audio/transcriptions")
    const file = await toFile(new Uint8Array([1]), "voice.ogg", { type: "audio/ogg" })
    const error = await failure(() =>
      client({ timeout: 100 }).audio.transcriptions.create({ model: "whisper-1", file }),
    )
    expect(error).toBeInstanceOf(APIConnectionTimeoutError)
    for (let i = 0; i < 50 && fake.inFlight > 0; i++) await Bun.sleep(10)
    expect(fake.inFlight).toBe(0)
  })

  test("malformed JSON makes the SDK throw a bare SyntaxError (not an OpenAIError)", async () => {
    fake.failNext({ kind: "malformed" }, 2)
    const error = await chatFailure()
    expect(error).toBeInstanceOf(SyntaxError)
    const streamError = await failure(async () =>
      Array.fromAsync(await client().chat.completions.create({ model: "m", messages, stream: true })),
    )
    expect(streamError).toBeInstanceOf(SyntaxError)
  })

  test("empty gives a valid completion with empty content", async () => {
    fake.failNext({ kind: "empty" })
    const completion = await client().chat.completions.create({ model: "m", messages })
    expect(completion.choices[0]?.message.content).toBe("")
  })
})
