import { describe, expect, setDefaultTimeout, test } from "bun:test"
import { Effect } from "effect"
import { makeOpenAiClient } from "../../src/providers/openai"
import { jsonAnswer } from "../support/fake-openai"
import { personaRequest, turn, useFakeOpenAi } from "./harness"
import { review } from "./schemas"

setDefaultTimeout(30_000)

const { fake, options, chats, body } = useFakeOpenAi()
const { models: _, ...clientOptions } = options()
const reviewRequest = {
  ...personaRequest,
  channel: "reviewer" as const,
  schema: review,
  schemaName: "review",
}
const value = { overall: "Хорошо", components: [], strengths: [], growth: [] }

describe("makeOpenAiClient: the gateway picks the model per call", () => {
  test("one client serves any model; the request and the answer name the model passed in", async () => {
    const client = makeOpenAiClient(clientOptions)
    expect(client.name).toBe("openai")
    fake.script(jsonAnswer(turn), jsonAnswer(value))
    const first = await Effect.runPromise(client.complete("gpt-5-nano", personaRequest))
    const second = await Effect.runPromise(client.complete("gpt-4.1-mini", reviewRequest))
    expect(first).toMatchObject({ value: turn, provider: "openai", model: "gpt-5-nano" })
    expect(second).toMatchObject({ value, provider: "openai", model: "gpt-4.1-mini" })
    expect(chats()).toHaveLength(2)
    expect(body(0)).toMatchObject({
      model: "gpt-5-nano",
      reasoning_effort: "low",
      max_completion_tokens: 800,
    })
    expect(body(1)).toMatchObject({ model: "gpt-4.1-mini", max_completion_tokens: 2000 })
    expect(body(1)).not.toContainAnyKeys(["reasoning_effort"])
  })

  test("the same failure policy applies: 5xx beyond maxRetries is unavailable", async () => {
    fake.failNext({ kind: "status", status: 502 }, 2)
    const client = makeOpenAiClient({ ...clientOptions, maxRetries: 1 })
    const error = await Effect.runPromise(Effect.flip(client.complete("gpt-4.1", personaRequest)))
    expect(error).toMatchObject({ reason: "unavailable", provider: "openai", detail: "HTTP 502, attempts 2" })
    expect(chats()).toHaveLength(2)
  })
})
