import { describe, expect, test } from "bun:test"
import { Effect } from "effect"
import { BREAK_AFTER, COOL_DOWN_MS, makeBreaker } from "../../src/providers/breaker"
import { LlmError, type LlmErrorReason } from "../../src/services/llm"

const failing = (reason: LlmErrorReason) =>
  Effect.fail(new LlmError({ reason, provider: "openai", detail: "x" }))

describe("the provider breaker", () => {
  test("after BREAK_AFTER outages in a row the provider is skipped at once; after the pause one call tries again", async () => {
    let now = 0
    let calls = 0
    const breaker = makeBreaker("openai", () => now)
    const outage = Effect.suspend(() => {
      calls += 1
      return failing("timeout")
    })
    const run = (call: Effect.Effect<string, LlmError>) => Effect.runPromise(Effect.result(breaker(call)))
    for (let i = 0; i < BREAK_AFTER; i++) await run(outage)
    expect(calls).toBe(BREAK_AFTER)
    const skipped = await run(outage)
    expect(calls).toBe(BREAK_AFTER)
    expect(JSON.stringify(skipped)).toContain("skipped after repeated outages")
    // After the pause: one try; another outage skips it again at once.
    now += COOL_DOWN_MS
    await run(outage)
    expect(calls).toBe(BREAK_AFTER + 1)
    await run(outage)
    expect(calls).toBe(BREAK_AFTER + 1)
    // A success after the next pause closes it.
    now += COOL_DOWN_MS
    expect(await Effect.runPromise(breaker(Effect.succeed("ok")))).toBe("ok")
    for (let i = 0; i < BREAK_AFTER - 1; i++) await run(outage)
    await run(outage)
    expect(calls).toBe(BREAK_AFTER + 1 + BREAK_AFTER)
  })

  test("answers the request itself was at fault for (malformed, refused) or a success in between do not count", async () => {
    let calls = 0
    const breaker = makeBreaker("openai", () => 0)
    const counted = (call: Effect.Effect<string, LlmError>) =>
      Effect.runPromise(
        Effect.result(
          breaker(
            Effect.suspend(() => {
              calls += 1
              return call
            }),
          ),
        ),
      )
    for (let i = 0; i < 5; i++) await counted(failing("malformed"))
    for (let i = 0; i < 5; i++) await counted(failing("refused"))
    await counted(failing("unavailable"))
    await counted(failing("rate_limited"))
    await counted(Effect.succeed("ok"))
    await counted(failing("unavailable"))
    await counted(failing("unavailable"))
    await counted(failing("unavailable"))
    expect(calls).toBe(16)
  })
})
