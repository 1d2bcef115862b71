import { afterAll, afterEach } from "bun:test"
import { Effect, Redacted } from "effect"
import type { LlmError, LlmRequest } from "../../src/services/llm"
import { isRecord } from "../support/fake-http"
import { startFakeOpenAi } from "../support/fake-openai"
import { makeOpenAiLlm, type OpenAiOptions } from "../support/openai-llm"
import { personaTurn } from "./schemas"

export const API_KEY = "sk-test-0123456789abcdefSECRET"
export const SYSTEM = "SYSTEM-PROMPT: you are Irina, a team lead"
export const USER_FIRST = "USER-TEXT-1 мой первый ответ"
export const USER_LAST = "USER-TEXT-2 мой второй ответ"

export const personaRequest: LlmRequest<typeof personaTurn.Type> = {
  channel: "dialogue",
  caseId: "fb_employee",
  system: SYSTEM,
  messages: [
    { role: "user", content: USER_FIRST },
    { role: "assistant", content: "Слушаю вас." },
    { role: "user", content: USER_LAST },
  ],
  schema: personaTurn,
  schemaName: "persona_turn",
}

export const turn = { reply: "Поняла.", Behavior: true, Result: false, Feelings: false, Desire: true }

/** A fake OpenAI server for one test file, reset after each test, with small timeouts and backoffs. */
export const useFakeOpenAi = () => {
  const fake = startFakeOpenAi()
  afterEach(() => fake.reset())
  afterAll(() => fake.stop())
  const options = (tweaks: Partial<OpenAiOptions> = {}): OpenAiOptions => ({
    apiKey: Redacted.make(API_KEY),
    baseUrl: `${fake.url}/v1`,
    models: { dialogue: "gpt-5-mini", reviewer: "gpt-4.1", judge: "gpt-5-mini" },
    timeoutMs: 5_000, // generous: a loaded machine's first request can pass 500 ms; timeout tests set their own
    maxRetries: 2,
    backoffMs: 10,
    ...tweaks,
  })
  const complete = <A>(tweaks: Partial<OpenAiOptions> = {}, request: LlmRequest<A>) =>
    Effect.runPromise(makeOpenAiLlm(options(tweaks)).complete(request))
  const failure = <A>(tweaks: Partial<OpenAiOptions>, request: LlmRequest<A>): Promise<LlmError> =>
    Effect.runPromise(Effect.flip(makeOpenAiLlm(options(tweaks)).complete(request)))
  const chats = () => fake.requestsTo("/chat/completions")
  const body = (i = 0): Record<string, unknown> => {
    const b = chats()[i]?.body
    return isRecord(b) ? b : {}
  }
  return { fake, options, complete, failure, chats, body }
}
