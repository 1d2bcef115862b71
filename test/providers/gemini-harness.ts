import { afterAll, afterEach } from "bun:test"
import { Effect, Redacted } from "effect"
import { type GeminiClientOptions, makeGeminiClient } from "../../src/providers/gemini"
import type { LlmError, LlmRequest } from "../../src/services/llm"
import { startFakeGemini } from "../support/fake-gemini"

export const GEMINI_KEY = "AIza-test-0123456789SECRET"
export const GEMINI_MODEL = "gemini-2.5-flash"

/** A fake Gemini server for one test file, reset after each test, with small timeouts and backoffs. */
export const useFakeGemini = () => {
  const fake = startFakeGemini()
  afterEach(() => fake.reset())
  afterAll(() => fake.stop())
  const options = (tweaks: Partial<GeminiClientOptions> = {}): GeminiClientOptions => ({
    apiKey: Redacted.make(GEMINI_KEY),
    baseUrl: fake.url,
    // Generous: a loaded CI machine's first request (cold JIT) took over 500 ms, timed out and consumed the script.
    timeoutMs: 5_000,
    maxRetries: 2,
    backoffMs: 10,
    ...tweaks,
  })
  const complete = <A>(request: LlmRequest<A>, tweaks: Partial<GeminiClientOptions> = {}) =>
    Effect.runPromise(makeGeminiClient(options(tweaks)).complete(GEMINI_MODEL, request))
  const failure = <A>(request: LlmRequest<A>, tweaks: Partial<GeminiClientOptions> = {}): Promise<LlmError> =>
    Effect.runPromise(Effect.flip(makeGeminiClient(options(tweaks)).complete(GEMINI_MODEL, request)))
  const calls = () => fake.modelRequests()
  return { fake, options, complete, failure, calls }
}
