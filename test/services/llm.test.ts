import { describe, expect, setDefaultTimeout, test } from "bun:test"
import { Cause, Effect, Exit, Layer, Schema } from "effect"
import { Llm, LlmError, type LlmRequest, makeScriptedLlm } from "../../src/services/llm"

setDefaultTimeout(30_000)

const Turn = Schema.Struct({ reply: Schema.String, Behavior: Schema.Boolean })
const request: LlmRequest<typeof Turn.Type> = {
  channel: "dialogue",
  caseId: "fb_peer",
  system: "system",
  messages: [{ role: "user", content: "Привет" }],
  schema: Turn,
  schemaName: "persona_turn",
}

describe("makeScriptedLlm", () => {
  test("answers in order through the request's schema and records the requests", async () => {
    const llm = makeScriptedLlm([
      { reply: "Да", Behavior: true, extra: 1 },
      { reply: "Нет", Behavior: false },
    ])
    const program = Effect.gen(function* () {
      const service = yield* Llm
      const first = yield* service.complete(request)
      const second = yield* service.complete({ ...request, channel: "reviewer" })
      return [first, second]
    })
    const [first, second] = await Effect.runPromise(program.pipe(Effect.provide(Layer.succeed(Llm, llm))))
    expect(first).toMatchObject({ value: { reply: "Да", Behavior: true }, provider: "scripted" })
    expect(first?.value).not.toHaveProperty("extra")
    expect(second?.value).toEqual({ reply: "Нет", Behavior: false })
    expect(llm.requests.map((r) => r.channel)).toEqual(["dialogue", "reviewer"])
  })

  test("a value the schema rejects is a malformed LlmError naming the path, not the value", async () => {
    const llm = makeScriptedLlm([{ reply: "секрет пользователя", Behavior: "false" }])
    const error = await Effect.runPromise(Effect.flip(llm.complete(request)))
    expect(error).toBeInstanceOf(LlmError)
    expect(error).toMatchObject({ reason: "malformed", detail: "persona_turn: schema mismatch at Behavior" })
  })

  test("a scripted LlmError is returned as is; running out of script is a defect", async () => {
    const scripted = new LlmError({ reason: "timeout", provider: "scripted", detail: "slow" })
    const llm = makeScriptedLlm([scripted])
    expect(await Effect.runPromise(Effect.flip(llm.complete(request)))).toBe(scripted)
    const exit = await Effect.runPromiseExit(llm.complete(request))
    expect(Exit.isFailure(exit) && Cause.hasDies(exit.cause)).toBe(true)
    expect(llm.requests).toHaveLength(2)
  })
})
