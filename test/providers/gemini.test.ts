import { afterAll, describe, expect, setDefaultTimeout, spyOn, test } from "bun:test"
import { Cause, Effect, Exit, Redacted, Schema } from "effect"
import { makeGeminiClient } from "../../src/providers/gemini"
import { toGeminiJsonSchema } from "../../src/providers/gemini-schema"
import { jsonAnswer } from "../support/fake-gemini"
import { isRecord } from "../support/fake-http"
import { GEMINI_KEY, GEMINI_MODEL, useFakeGemini } from "./gemini-harness"
import { personaRequest, SYSTEM, turn, USER_FIRST, USER_LAST } from "./harness"
import { personaTurn, review } from "./schemas"

setDefaultTimeout(30_000)

const { fake, options, calls, ...run } = useFakeGemini()
const complete = (tweaks = {}) => run.complete(personaRequest, tweaks)
const failure = (tweaks = {}) => run.failure(personaRequest, tweaks)
const body = (i = 0): Record<string, unknown> => {
  const b = calls()[i]?.body
  return isRecord(b) ? b : {}
}

describe("GeminiClient: answers", () => {
  test("sends the system instruction, the history with Gemini roles and the JSON schema; decodes", async () => {
    fake.script(jsonAnswer(turn, { input: 42, output: 7 }))
    const answer = await complete()
    expect(answer).toMatchObject({ value: turn, provider: "gemini", model: GEMINI_MODEL })
    expect(answer).toMatchObject({ inputTokens: 42, outputTokens: 7 })
    expect(calls()).toHaveLength(1)
    expect(calls()[0]?.path).toBe(`/v1beta/models/${GEMINI_MODEL}:generateContent`)
    expect(calls()[0]?.headers["x-goog-api-key"]).toBe(GEMINI_KEY)
    expect(fake.lastSystemInstruction()).toBe(personaRequest.system)
    expect(body().contents).toEqual([
      { role: "user", parts: [{ text: USER_FIRST }] },
      { role: "model", parts: [{ text: "Слушаю вас." }] },
      { role: "user", parts: [{ text: USER_LAST }] },
    ])
    expect(fake.lastGenerationConfig()).toMatchObject({
      responseMimeType: "application/json",
      responseJsonSchema: toGeminiJsonSchema(personaTurn),
    })
  })

  test("the model is the one the gateway passes for this call", async () => {
    const value = { overall: "Хорошо", components: [], strengths: ["ясно"], growth: [] }
    fake.script(jsonAnswer(value))
    const client = makeGeminiClient(options())
    expect(client.name).toBe("gemini")
    const request = { ...personaRequest, channel: "reviewer" as const, schema: review, schemaName: "review" }
    const answer = await Effect.runPromise(client.complete("gemini-2.5-pro", request))
    expect(answer).toMatchObject({ value, model: "gemini-2.5-pro" })
    expect(fake.lastModel()).toBe("gemini-2.5-pro")
    expect(fake.lastGenerationConfig()?.responseJsonSchema).toEqual(toGeminiJsonSchema(review))
  })

  test("a schema strict mode cannot express is a defect and sends nothing", async () => {
    const optional = Schema.Struct({ reply: Schema.optional(Schema.String) })
    const client = makeGeminiClient(options())
    const exit = await Effect.runPromiseExit(
      client.complete(GEMINI_MODEL, { ...personaRequest, schema: optional }),
    )
    expect(Exit.isFailure(exit) && Cause.hasDies(exit.cause)).toBe(true)
    expect(calls()).toHaveLength(0)
  })
})

describe("GeminiClient: transient failures are retried by our policy (SDK retries off)", () => {
  test("429 honours the RetryInfo delay, then succeeds", async () => {
    fake.failNext({ kind: "status", status: 429, retryAfterSec: 1 })
    fake.script(jsonAnswer(turn))
    expect((await complete({ maxRetries: 1 })).value).toEqual(turn)
    const [first, second] = calls()
    expect(calls()).toHaveLength(2)
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(950)
  })

  test("5xx beyond maxRetries is unavailable after exactly maxRetries + 1 requests", async () => {
    fake.failNext({ kind: "status", status: 503 }, 5)
    const error = await failure({ maxRetries: 2 })
    expect(error).toMatchObject({ reason: "unavailable", detail: "HTTP 503 UNAVAILABLE, attempts 3" })
    expect(calls()).toHaveLength(3)
  })

  test("a slow answer times out, each attempt aborted", async () => {
    fake.failNext({ kind: "delay", ms: 2_000 }, 2)
    const started = Date.now()
    const error = await failure({ timeoutMs: 60, maxRetries: 1 })
    expect(error).toMatchObject({ reason: "timeout", detail: "request timed out, attempts 2" })
    expect(Date.now() - started).toBeLessThan(1_500)
    expect(calls()).toHaveLength(2)
    for (let i = 0; i < 50 && fake.inFlight > 0; i++) await Bun.sleep(10)
    expect(fake.inFlight).toBe(0)
  })

  test("a network error is retried, then unavailable", async () => {
    const error = await failure({ baseUrl: "http://127.0.0.1:1", maxRetries: 1 })
    expect(error).toMatchObject({ reason: "unavailable", detail: "network error, attempts 2" })
  })
})

describe("GeminiClient: unusable answers get exactly one more request", () => {
  test("invalid JSON twice → malformed after 2 requests", async () => {
    fake.script('Вот ответ: {"reply": "x"}', "{not json")
    const error = await failure()
    expect(error).toMatchObject({ reason: "malformed", detail: "invalid JSON (finish_reason STOP)" })
    expect(calls()).toHaveLength(2)
  })

  test('a string "false" flag is a schema failure, never truthy → malformed after 2 requests', async () => {
    const stringly = { ...turn, Behavior: "false" }
    fake.script(jsonAnswer(stringly), jsonAnswer(stringly))
    const error = await failure()
    expect(error).toMatchObject({ reason: "malformed", detail: "persona_turn: schema mismatch at Behavior" })
    expect(calls()).toHaveLength(2)
  })

  test("empty text, then a valid answer; tokens of both requests count", async () => {
    fake.script({ text: "", usage: { input: 10, output: 0 } }, jsonAnswer(turn, { input: 10, output: 5 }))
    expect(await complete()).toMatchObject({ value: turn, inputTokens: 20, outputTokens: 5 })
    expect(calls()).toHaveLength(2)
  })

  test("a broken HTTP body twice → malformed, not retried as a transient failure", async () => {
    fake.failNext({ kind: "malformed" }, 5)
    const error = await failure({ maxRetries: 3 })
    expect(error).toMatchObject({ reason: "malformed", detail: "unparsable HTTP body, attempts 1" })
    expect(calls()).toHaveLength(2)
  })

  test("a safety-blocked answer is asked once more, then reported as refused", async () => {
    let hits = 0
    const blocked = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: () => {
        hits += 1
        return Response.json({ candidates: [{ finishReason: "SAFETY", index: 0 }] })
      },
    })
    afterAll(() => blocked.stop(true))
    const error = await failure({ baseUrl: `http://127.0.0.1:${blocked.port}` })
    expect(error).toMatchObject({ reason: "refused", detail: "finish_reason SAFETY" })
    expect(hits).toBe(2)
  })
})

describe("GeminiClient: permanent failures are not retried and carry no secrets", () => {
  test("a missing API key → unavailable after one request", async () => {
    const warn = spyOn(console, "warn").mockImplementation(() => {})
    const error = await failure({ apiKey: Redacted.make(""), maxRetries: 3 }).finally(() =>
      warn.mockRestore(),
    )
    expect(error).toMatchObject({ reason: "unavailable", detail: "HTTP 403 PERMISSION_DENIED, attempts 1" })
    expect(calls()).toHaveLength(1)
  })

  test.each([
    [400, "refused", "HTTP 400 INVALID_ARGUMENT, attempts 1"],
    [404, "unavailable", "HTTP 404 NOT_FOUND, attempts 1"],
  ] as const)("HTTP %d → %s", async (status, reason, detail) => {
    fake.failNext({ kind: "status", status })
    expect(await failure({ maxRetries: 3 })).toMatchObject({ reason, detail })
    expect(calls()).toHaveLength(1)
  })

  test("detail never holds the API key, the system prompt or the user's text", async () => {
    const echo = { ...turn, reply: `${SYSTEM} ${USER_FIRST}`, Result: USER_LAST }
    fake.script(jsonAnswer(echo), `${USER_LAST} ${SYSTEM}`)
    const errors = [await failure()]
    fake.failNext({ kind: "status", status: 429, retryAfterSec: 0 }, 2)
    errors.push(await failure({ maxRetries: 1 }))
    expect(errors.map((e) => e.reason)).toEqual(["malformed", "rate_limited"])
    for (const error of errors) {
      const shown = `${error.detail} ${String(error)} ${JSON.stringify(error)}`
      for (const secret of [GEMINI_KEY, "SECRET", SYSTEM, USER_FIRST, USER_LAST, "USER-TEXT", "мой"]) {
        expect(shown).not.toContain(secret)
      }
    }
  })
})
