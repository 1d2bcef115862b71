import { describe, expect, test } from "bun:test"
import { BREAK_AFTER, COOL_DOWN_MS, makeBreakers } from "../../src/services/ai-breaker"
import { LlmError, type LlmErrorReason } from "../../src/services/llm"

const error = (reason: LlmErrorReason) => new LlmError({ reason, provider: "openai", detail: "x" })

describe("the provider breakers", () => {
  test("BREAK_AFTER outages in a row pass a provider over; after the pause it is tried, one more outage passes it over again", () => {
    let now = 0
    const breakers = makeBreakers(() => now)
    for (let i = 0; i < BREAK_AFTER - 1; i++) breakers.record("openai", error("timeout"))
    expect(breakers.skipping("openai")).toBe(false)
    breakers.record("openai", error("unavailable"))
    expect(breakers.skipping("openai")).toBe(true)
    expect(breakers.skipping("gemini")).toBe(false)
    now += COOL_DOWN_MS
    expect(breakers.skipping("openai")).toBe(false)
    breakers.record("openai", error("rate_limited"))
    expect(breakers.skipping("openai")).toBe(true)
    // A success after the next pause closes it: it takes BREAK_AFTER outages again.
    now += COOL_DOWN_MS
    breakers.record("openai")
    for (let i = 0; i < BREAK_AFTER - 1; i++) breakers.record("openai", error("timeout"))
    expect(breakers.skipping("openai")).toBe(false)
  })

  test("answers the request itself was at fault for (malformed, refused) and successes in between do not count", () => {
    const breakers = makeBreakers(() => 0)
    for (let i = 0; i < 5; i++) breakers.record("openai", error("malformed"))
    for (let i = 0; i < 5; i++) breakers.record("openai", error("refused"))
    breakers.record("openai", error("timeout"))
    breakers.record("openai", error("timeout"))
    breakers.record("openai")
    breakers.record("openai", error("timeout"))
    breakers.record("openai", error("timeout"))
    expect(breakers.skipping("openai")).toBe(false)
  })
})
