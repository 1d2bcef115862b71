import type { LlmError, LlmErrorReason } from "./llm"

/** Failed calls in a row (each after its own retries) after which a provider is passed over for a while. */
export const BREAK_AFTER = 3
export const COOL_DOWN_MS = 30_000

/** What says the provider itself is down, not that this request was bad. */
const OUTAGE: ReadonlySet<LlmErrorReason> = new Set(["timeout", "unavailable", "rate_limited"])

/**
 * Circuit breakers for the providers of a route chain. Each failed call already waited out its timeouts and
 * retries (a hanging provider: minutes per call), so after BREAK_AFTER outages in a row a provider is passed over
 * for COOL_DOWN_MS when a fallback follows it in the chain: the fallback answers at once. The last route of a
 * chain is always tried (nothing would answer instead). After the pause the provider is tried again; one more
 * outage passes it over again, a success closes the breaker.
 */
export const makeBreakers = (now: () => number = Date.now) => {
  const state = new Map<string, { outages: number; skipUntil: number }>()
  return {
    skipping: (provider: string): boolean => now() < (state.get(provider)?.skipUntil ?? 0),
    /** The outcome of one call to `provider`: a success (no error) or its failure. */
    record: (provider: string, error?: LlmError): void => {
      if (!error) {
        state.delete(provider)
        return
      }
      if (!OUTAGE.has(error.reason)) return
      const outages = (state.get(provider)?.outages ?? 0) + 1
      state.set(
        provider,
        outages < BREAK_AFTER
          ? { outages, skipUntil: 0 }
          : { outages: BREAK_AFTER - 1, skipUntil: now() + COOL_DOWN_MS },
      )
    },
  }
}
