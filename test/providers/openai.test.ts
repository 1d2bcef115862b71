import { describe, expect, setDefaultTimeout, test } from "bun:test"
import { Effect } from "effect"
import { toStrictJsonSchema } from "../../src/providers/json-schema"
import { Llm, noProviderLlm } from "../../src/services/llm"
import { jsonAnswer } from "../support/fake-openai"
import { OpenAiLlm, type OpenAiOptions } from "../support/openai-llm"
import { API_KEY, personaRequest, SYSTEM, turn, useFakeOpenAi } from "./harness"
import { personaTurn, review } from "./schemas"

setDefaultTimeout(30_000)

const { fake, options, chats, body, ...calls } = useFakeOpenAi()
const complete = (tweaks: Partial<OpenAiOptions> = {}) => calls.complete(tweaks, personaRequest)
const failure = (tweaks: Partial<OpenAiOptions> = {}) => calls.failure(tweaks, personaRequest)

describe("OpenAiLlm: answers", () => {
  test("decodes the answer; channel model, system first, history in order, strict schema, gpt-5 knobs", async () => {
    fake.script(jsonAnswer(turn, { input: 42, output: 7 }))
    const answer = await complete()
    expect(answer).toMatchObject({ value: turn, provider: "openai", model: "gpt-5-mini" })
    expect(answer).toMatchObject({ inputTokens: 42, outputTokens: 7 })
    expect(answer.latencyMs).toBeGreaterThanOrEqual(0)
    expect(chats()).toHaveLength(1)
    expect(chats()[0]?.headers.authorization).toBe(`Bearer ${API_KEY}`)
    expect(body()).toMatchObject({
      model: "gpt-5-mini",
      messages: [{ role: "system", content: SYSTEM }, ...personaRequest.messages],
      response_format: {
        type: "json_schema",
        json_schema: { name: "persona_turn", strict: true, schema: toStrictJsonSchema(personaTurn) },
      },
      reasoning_effort: "low",
      max_completion_tokens: 800,
    })
    expect(body()).not.toContainAnyKeys(["temperature", "max_tokens"])
  })

  test("reviewer channel uses its own model; no reasoning_effort outside the gpt-5 family", async () => {
    const value = { overall: "Хорошо", components: [], strengths: ["ясно"], growth: [] }
    fake.script(jsonAnswer(value))
    const answer = await calls.complete(
      {},
      { ...personaRequest, channel: "reviewer", schema: review, schemaName: "review" },
    )
    expect(answer).toMatchObject({ value, model: "gpt-4.1" })
    expect(body()).toMatchObject({ model: "gpt-4.1", max_completion_tokens: 2000 })
    expect(body()).not.toContainAnyKeys(["reasoning_effort", "temperature", "max_tokens"])
  })

  test("the Llm layer serves the same calls through the service", async () => {
    fake.script(jsonAnswer(turn))
    const program = Effect.gen(function* () {
      const llm = yield* Llm
      return yield* llm.complete(personaRequest)
    })
    const answer = await Effect.runPromise(program.pipe(Effect.provide(OpenAiLlm.layer(options()))))
    expect(answer.value).toEqual(turn)
  })

  test("noProviderLlm fails every call with no_provider", async () => {
    const error = await Effect.runPromise(Effect.flip(noProviderLlm.complete(personaRequest)))
    expect(error).toMatchObject({ _tag: "LlmError", reason: "no_provider" })
  })
})

describe("OpenAiLlm: transient failures are retried by our policy", () => {
  test("429 honours retry-after, then succeeds", async () => {
    fake.failNext({ kind: "status", status: 429, retryAfterSec: 1 })
    fake.script(jsonAnswer(turn))
    const answer = await complete({ maxRetries: 1 })
    expect(answer.value).toEqual(turn)
    const [first, second] = chats()
    expect(chats()).toHaveLength(2)
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(950)
  })

  test("429 beyond maxRetries is rate_limited", async () => {
    fake.failNext({ kind: "status", status: 429, retryAfterSec: 0 }, 2)
    const error = await failure({ maxRetries: 1 })
    expect(error).toMatchObject({ reason: "rate_limited", provider: "openai" })
    expect(error.detail).toContain("429")
    expect(chats()).toHaveLength(2)
  })

  test("a retry-after longer than we would keep a user waiting fails at once", async () => {
    fake.failNext({ kind: "status", status: 429, retryAfterSec: 120 })
    const error = await failure({ maxRetries: 3 })
    expect(error).toMatchObject({
      reason: "rate_limited",
      detail: "HTTP 429 rate_limit_exceeded, attempts 1",
    })
    expect(chats()).toHaveLength(1)
  })

  test("5xx twice then success with maxRetries 3", async () => {
    fake.failNext({ kind: "status", status: 503 }, 2)
    fake.script(jsonAnswer(turn))
    expect((await complete({ maxRetries: 3 })).value).toEqual(turn)
    expect(chats()).toHaveLength(3)
  })

  test("5xx beyond maxRetries is unavailable", async () => {
    fake.failNext({ kind: "status", status: 500 }, 3)
    const error = await failure({ maxRetries: 2 })
    expect(error).toMatchObject({ reason: "unavailable", detail: "HTTP 500, attempts 3" })
    expect(chats()).toHaveLength(3)
  })

  test("a slow answer times out after maxRetries + 1 attempts, each one aborted", async () => {
    fake.failNext({ kind: "delay", ms: 2_000 }, 3)
    fake.script(jsonAnswer(turn))
    const started = Date.now()
    const error = await failure({ timeoutMs: 60, maxRetries: 2 })
    expect(error).toMatchObject({ reason: "timeout", detail: "request timed out, attempts 3" })
    expect(Date.now() - started).toBeLessThan(1_500)
    expect(chats()).toHaveLength(3)
    for (let i = 0; i < 50 && fake.inFlight > 0; i++) await Bun.sleep(10)
    expect(fake.inFlight).toBe(0)
  })
})

describe("OpenAiLlm: permanent failures are not retried", () => {
  test.each([
    [400, "refused"],
    [401, "unavailable"],
    [404, "unavailable"],
  ] as const)("HTTP %d → %s after one request", async (status, reason) => {
    fake.failNext({ kind: "status", status })
    const error = await failure({ maxRetries: 3 })
    expect(error.reason).toBe(reason)
    expect(error.detail).toStartWith(`HTTP ${status}`)
    expect(chats()).toHaveLength(1)
  })
})
