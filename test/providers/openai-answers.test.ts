import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test"
import { Cause, Effect, Exit, Schema } from "effect"
import { jsonAnswer } from "../support/fake-openai"
import { makeOpenAiLlm } from "../support/openai-llm"
import { API_KEY, personaRequest, SYSTEM, turn, USER_FIRST, USER_LAST, useFakeOpenAi } from "./harness"

setDefaultTimeout(30_000)

const { fake, chats, options, ...calls } = useFakeOpenAi()
const complete = (tweaks = {}) => calls.complete(tweaks, personaRequest)
const failure = (tweaks = {}) => calls.failure(tweaks, personaRequest)

/** Answers every request with `respond()`; for replies the shared fake cannot produce. */
let respond: () => Response = () => new Response(null, { status: 500 })
let customHits = 0
const custom = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch: () => {
    customHits += 1
    return respond()
  },
})
afterAll(() => custom.stop(true))
const viaCustom = () => ({ baseUrl: `http://127.0.0.1:${custom.port}/v1` })

const refusal = () =>
  Response.json({
    id: "chatcmpl-1",
    object: "chat.completion",
    created: 0,
    model: "gpt-5-mini",
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: null, refusal: "I can't help with that." },
        finish_reason: "stop",
        logprobs: null,
      },
    ],
    usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
  })

describe("OpenAiLlm: unusable answers get exactly one more request", () => {
  test("invalid JSON twice → malformed after 2 requests (no brace slicing)", async () => {
    fake.script('Вот ответ: {"reply": "x", "Behavior": true} — готово', "{not json")
    const error = await failure()
    expect(error).toMatchObject({ reason: "malformed", detail: "invalid JSON (finish_reason stop)" })
    expect(chats()).toHaveLength(2)
  })

  test('a string "false" flag is a decode failure, never truthy → malformed after 2 requests', async () => {
    const stringly = { ...turn, Behavior: "false" }
    fake.script(jsonAnswer(stringly), jsonAnswer(stringly))
    const error = await failure()
    expect(error).toMatchObject({ reason: "malformed", detail: "persona_turn: schema mismatch at Behavior" })
    expect(chats()).toHaveLength(2)
  })

  test("a valid answer on the retry wins; tokens of both requests are counted", async () => {
    fake.script({ text: "oops", usage: { input: 10, output: 1 } }, jsonAnswer(turn, { input: 10, output: 5 }))
    const answer = await complete()
    expect(answer).toMatchObject({ value: turn, inputTokens: 20, outputTokens: 6 })
    expect(chats()).toHaveLength(2)
  })

  test("empty content, then a valid answer", async () => {
    fake.failNext({ kind: "empty" })
    fake.script(jsonAnswer(turn))
    expect((await complete()).value).toEqual(turn)
    expect(chats()).toHaveLength(2)
  })

  test("a broken HTTP body twice → malformed, not retried as a transient failure", async () => {
    fake.failNext({ kind: "malformed" }, 5)
    const error = await failure({ maxRetries: 3 })
    expect(error.reason).toBe("malformed")
    expect(chats()).toHaveLength(2)
  })

  test("a model refusal is asked once more, then reported as refused", async () => {
    respond = refusal
    customHits = 0
    const error = await failure(viaCustom())
    expect(error).toMatchObject({ reason: "refused", detail: "model refusal" })
    expect(customHits).toBe(2)
  })
})

describe("OpenAiLlm: programming errors", () => {
  test("a schema strict mode cannot express is a defect and sends nothing", async () => {
    const optional = Schema.Struct({ reply: Schema.optional(Schema.String) })
    const llm = makeOpenAiLlm(options())
    const exit = await Effect.runPromiseExit(llm.complete({ ...personaRequest, schema: optional }))
    expect(Exit.isFailure(exit) && Cause.hasDies(exit.cause)).toBe(true)
    expect(chats()).toHaveLength(0)
  })
})

describe("OpenAiLlm: errors carry no secrets", () => {
  test("detail never holds the API key, the system prompt or the user's text", async () => {
    const errors = []
    respond = () =>
      Response.json(
        {
          error: { message: `Incorrect API key provided: ${API_KEY}. ${USER_LAST}`, code: "invalid_api_key" },
        },
        { status: 401 },
      )
    errors.push(await failure(viaCustom()))
    fake.failNext({ kind: "status", status: 400 })
    errors.push(await failure())
    const echo = { ...turn, reply: `${SYSTEM} ${USER_FIRST}`, Result: USER_LAST }
    fake.script(jsonAnswer(echo), `${USER_LAST} ${SYSTEM}`)
    errors.push(await failure())
    fake.failNext({ kind: "delay", ms: 1_000 }, 2)
    errors.push(await failure({ timeoutMs: 30, maxRetries: 1 }))
    expect(errors.map((e) => e.reason)).toEqual(["unavailable", "refused", "malformed", "timeout"])
    expect(errors[0]?.detail).toBe("HTTP 401 invalid_api_key, attempts 1")
    for (const error of errors) {
      const shown = `${error.detail} ${String(error)} ${JSON.stringify(error)}`
      for (const secret of [API_KEY, "SECRET", SYSTEM, USER_FIRST, USER_LAST, "USER-TEXT", "мой"]) {
        expect(shown).not.toContain(secret)
      }
    }
  })
})
