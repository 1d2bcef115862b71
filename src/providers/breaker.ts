import { Effect } from "effect"
import { LlmError, type LlmErrorReason } from "../services/llm"

/** Failed calls in a row (each after its own retries) after which a provider is skipped for a while. */
export const BREAK_AFTER = 3
export const COOL_DOWN_MS = 30_000

/** What says the provider itself is down, not that this request was bad. */
const OUTAGE: ReadonlySet<LlmErrorReason> = new Set(["timeout", "unavailable", "rate_limited"])

/**
 * A circuit breaker for one provider endpoint. Each failed call already waited out its timeouts and retries (a
 * hanging provider: minutes per call), so after BREAK_AFTER outages in a row the provider is skipped for
 * COOL_DOWN_MS: a call fails at once, as unavailable, and the chain goes on to its fallback (or the learner gets
 * «🔁 Повторить» now rather than after minutes of «печатает…»). After the pause one call tries again; one more
 * outage skips it again, a success closes the breaker.
 */
export const makeBreaker = (provider: string, now: () => number = Date.now) => {
  let outages = 0
  let skipUntil = 0
  return <A>(call: Effect.Effect<A, LlmError>): Effect.Effect<A, LlmError> =>
    Effect.suspend(() => {
      if (now() < skipUntil)
        return Effect.fail(
          new LlmError({ reason: "unavailable", provider, detail: "skipped after repeated outages" }),
        )
      return call.pipe(
        Effect.tap(() =>
          Effect.sync(() => {
            outages = 0
          }),
        ),
        Effect.tapError((error) =>
          Effect.sync(() => {
            if (!OUTAGE.has(error.reason)) return
            outages += 1
            if (outages < BREAK_AFTER) return
            skipUntil = now() + COOL_DOWN_MS
            outages = BREAK_AFTER - 1
          }),
        ),
      )
    })
}
