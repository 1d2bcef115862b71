import { afterAll, afterEach, describe, expect, test } from "bun:test"
import { ApiError, FinishReason, GoogleGenAI, type HttpOptions } from "@google/genai"
import { startFakeGemini } from "./fake-gemini"

const fake = startFakeGemini()
afterEach(() => fake.reset())
afterAll(() => fake.stop())

const model = "gemini-2.5-flash"

function client(httpOptions: Omit<HttpOptions, "baseUrl"> = {}): GoogleGenAI {
  return new GoogleGenAI({ apiKey: "test-key", httpOptions: { baseUrl: fake.url, ...httpOptions } })
}

async function failure(run: () => Promise<unknown>): Promise<unknown> {
  return run().then(
    () => undefined,
    (e: unknown) => e,
  )
}

describe("fake Gemini: happy paths with the real SDK", () => {
  test("generateContent sends the system instruction and the key to /v1/models/{model}", async () => {
    fake.script({ text: "Добрый день", usage: { input: 12, output: 2 } })
    const response = await client().models.generateContent({
      model,
      contents: "Привет",
      config: { systemInstruction: "Ты — ассистент. Отвечай кратко." },
    })
    expect(response.text).toBe("Добрый день")
    expect(response.usageMetadata).toMatchObject({ promptTokenCount: 12, totalTokenCount: 14 })
    expect(fake.lastSystemInstruction()).toBe("Ты — ассистент. Отвечай кратко.")
    expect(fake.lastModel()).toBe(model)
    const recorded = fake.lastRequest()
    // @google/genai 3.3.0 defaults to the v1 API for the Gemini Developer API.
    expect(recorded?.path).toBe(`/v1/models/${model}:generateContent`)
    expect(recorded?.headers["x-goog-api-key"]).toBe("test-key")
  })

  test("v1beta is served too, and ?key= authenticates", async () => {
    const beta = client({ apiVersion: "v1beta" })
    expect((await beta.models.generateContent({ model, contents: "x" })).text).toBe("ok")
    expect(fake.lastRequest()?.path).toBe(`/v1beta/models/${model}:generateContent`)
    const res = await fetch(`${fake.url}/v1beta/models/${model}:generateContent?key=k`, {
      method: "POST",
      body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "x" }] }] }),
    })
    expect(res.status).toBe(200)
  })

  test("JSON mode records responseMimeType and responseJsonSchema; object answers are stringified", async () => {
    const schema = { type: "object", properties: { score: { type: "integer" } }, required: ["score"] }
    fake.script({ score: 3 })
    const response = await client().models.generateContent({
      model,
      contents: "Оцени",
      config: { responseMimeType: "application/json", responseJsonSchema: schema },
    })
    expect(JSON.parse(response.text ?? "")).toEqual({ score: 3 })
    expect(fake.lastGenerationConfig()).toEqual({
      responseMimeType: "application/json",
      responseJsonSchema: schema,
    })
  })

  test("generateContentStream yields several chunks; the last one carries usage", async () => {
    fake.script("Это потоковый ответ из нескольких частей")
    const stream = await client().models.generateContentStream({ model, contents: "Привет" })
    const chunks = await Array.fromAsync(stream)
    expect(chunks.length).toBeGreaterThan(1)
    expect(chunks.map((c) => c.text).join("")).toBe("Это потоковый ответ из нескольких частей")
    expect(chunks.at(-1)?.candidates?.[0]?.finishReason).toBe(FinishReason.STOP)
    expect(chunks.at(-1)?.usageMetadata?.candidatesTokenCount).toBeGreaterThan(0)
    expect(fake.lastRequest()?.query).toEqual({ alt: "sse" })
  })

  test("inline audio is recorded with its decoded size and answered with the scripted transcript", async () => {
    fake.script("расшифровка голосового")
    const audio = new Uint8Array(1234).fill(7)
    const response = await client().models.generateContent({
      model,
      contents: [
        {
          role: "user",
          parts: [
            { inlineData: { mimeType: "audio/ogg", data: Buffer.from(audio).toString("base64") } },
            { text: "Расшифруй" },
          ],
        },
      ],
    })
    expect(response.text).toBe("расшифровка голосового")
    expect(fake.lastInlineData()).toEqual([{ mimeType: "audio/ogg", size: 1234 }])
  })

  test("five parallel calls with 100 ms latency are all in flight at once", async () => {
    fake.setLatency(100)
    const ai = client()
    await Promise.all(Array.from({ length: 5 }, () => ai.models.generateContent({ model, contents: "x" })))
    expect(fake.maxConcurrent).toBe(5)
    expect(fake.inFlight).toBe(0)
  })
})

describe("fake Gemini: faults as the SDK sees them", () => {
  test("a missing key is a 403 PERMISSION_DENIED", async () => {
    const res = await fetch(`${fake.url}/v1/models/${model}:generateContent`, { method: "POST", body: "{}" })
    expect(res.status).toBe(403)
    expect(await res.json()).toMatchObject({ error: { code: 403, status: "PERMISSION_DENIED" } })
  })

  test("429 is an ApiError with status 429 and is not retried without retryOptions", async () => {
    fake.failNext({ kind: "status", status: 429, retryAfterSec: 3 })
    const error = await failure(() => client().models.generateContent({ model, contents: "x" }))
    expect(error).toBeInstanceOf(ApiError)
    expect(error instanceof ApiError && error.status).toBe(429)
    expect(error instanceof ApiError && error.message).toContain("RESOURCE_EXHAUSTED")
    expect(fake.requests).toHaveLength(1)
  })

  test("with httpOptions.retryOptions the SDK retries a 429 (it ignores retry-after)", async () => {
    fake.failNext({ kind: "status", status: 429, retryAfterSec: 30 })
    fake.script("after retry")
    const ai = client({ retryOptions: { attempts: 2, initialDelay: 0.01 } })
    expect((await ai.models.generateContent({ model, contents: "x" })).text).toBe("after retry")
    expect(fake.requests).toHaveLength(2)
  })

  test("500 and a 503 on a stream are ApiErrors", async () => {
    fake.failNext({ kind: "status", status: 500 })
    const error = await failure(() => client().models.generateContent({ model, contents: "x" }))
    expect(error instanceof ApiError && error.status).toBe(500)
    fake.failNext({ kind: "status", status: 503 }, 1, "streamGenerateContent")
    const streamError = await failure(() => client().models.generateContentStream({ model, contents: "x" }))
    expect(streamError instanceof ApiError && streamError.status).toBe(503)
  })

  test("a delay past httpOptions.timeout is a DOMException AbortError; a hang ends the same way", async () => {
    fake.failNext({ kind: "delay", ms: 1000 })
    fake.failNext({ kind: "hang" })
    const ai = client({ timeout: 100 })
    for (let i = 0; i < 2; i++) {
      const error = await failure(() => ai.models.generateContent({ model, contents: "x" }))
      expect(error instanceof Error && error.name).toBe("AbortError")
    }
  })

  test("stop() ends a hung request: the client sees a dropped connection", async () => {
    const own = startFakeGemini()
    own.failNext({ kind: "hang" })
    const ai = new GoogleGenAI({ apiKey: "k", httpOptions: { baseUrl: own.url } })
    const pending = failure(() => ai.models.generateContent({ model, contents: "x" }))
    while (own.requests.length === 0) await Bun.sleep(5)
    expect(own.inFlight).toBe(1)
    await own.stop()
    expect(await pending).toBeInstanceOf(Error)
    expect(own.inFlight).toBe(0)
  })

  test("malformed JSON is a SyntaxError, streaming or not", async () => {
    fake.failNext({ kind: "malformed" }, 2)
    expect(await failure(() => client().models.generateContent({ model, contents: "x" }))).toBeInstanceOf(
      SyntaxError,
    )
    const streamError = await failure(async () =>
      Array.fromAsync(await client().models.generateContentStream({ model, contents: "x" })),
    )
    expect(streamError).toBeInstanceOf(SyntaxError)
  })

  test("empty answers give text === ''", async () => {
    fake.failNext({ kind: "empty" })
    expect((await client().models.generateContent({ model, contents: "x" })).text).toBe("")
  })
})
