import { describe, expect, test } from "bun:test"
import { Effect, Schema } from "effect"
import type { UsageRecord } from "../../src/repositories/ai.repo"
import { AiAllowance } from "../../src/services/ai-budget"
import { makeGateway, type Route, routingTable } from "../../src/services/ai-gateway"
import { LlmError, type LlmRequest, type ProviderClient, type ProviderName } from "../../src/services/llm"

const Answer = Schema.Struct({ reply: Schema.String })

const request = (over: Partial<LlmRequest<{ reply: string }>> = {}): LlmRequest<{ reply: string }> => ({
  channel: "dialogue",
  caseId: "fb_employee",
  system: "s",
  messages: [{ role: "user", content: "hi" }],
  schema: Answer as unknown as LlmRequest<{ reply: string }>["schema"],
  schemaName: "persona_turn",
  userId: 7,
  ...over,
})

/** A provider that answers with its name and model, or fails when told to; it counts what is in flight. */
const client = (name: ProviderName, opts: { fail?: boolean; latencyMs?: number } = {}) => {
  const calls: string[] = []
  let inFlight = 0
  let maxInFlight = 0
  const c: ProviderClient = {
    name,
    complete: <A>(model: string, r: LlmRequest<A>) =>
      Effect.gen(function* () {
        calls.push(`${model}:${r.messages.at(-1)?.content}`)
        inFlight++
        maxInFlight = Math.max(maxInFlight, inFlight)
        yield* Effect.sleep(opts.latencyMs ?? 0)
        inFlight--
        if (opts.fail)
          return yield* Effect.fail(
            new LlmError({ reason: "unavailable", provider: name, detail: "HTTP 500" }),
          )
        return {
          value: { reply: `${name}:${model}` } as A,
          provider: name,
          model,
          inputTokens: 3,
          outputTokens: 5,
          latencyMs: 1,
        }
      }),
  }
  return { client: c, calls, max: () => maxInFlight }
}

const gateway = (
  clients: Partial<Record<ProviderName, ProviderClient>>,
  chain: ReadonlyArray<Route>,
  extra: { concurrency?: number; queuedNoticeMs?: number } = {},
) => {
  const usage: UsageRecord[] = []
  const llm = makeGateway({
    clients,
    routes: () => chain,
    concurrency: extra.concurrency ?? 4,
    queuedNoticeMs: extra.queuedNoticeMs ?? 3000,
    record: (u) => Effect.sync(() => usage.push(u)),
  })
  return { llm, usage }
}

const openai: Route = { provider: "openai", model: "gpt-5-mini" }
const gemini: Route = { provider: "gemini", model: "gemini-2.5-flash" }

describe("routingTable", () => {
  test("a per-case override wins; other cases and channels keep the defaults", () => {
    const routes = routingTable({ dialogue: [openai, gemini], reviewer: [gemini], judge: [openai] }, [
      { caseId: "fb_peer", channel: "dialogue", chain: [gemini] },
    ])
    expect(routes("fb_peer", "dialogue")).toEqual([gemini])
    expect(routes("fb_employee", "dialogue")).toEqual([openai, gemini])
    expect(routes("fb_peer", "reviewer")).toEqual([gemini])
  })
})

describe("makeGateway", () => {
  test("the first route answers → its value; one ok usage row with tokens and the user", async () => {
    const a = client("openai")
    const { llm, usage } = gateway({ openai: a.client }, [openai, gemini])
    const answer = await Effect.runPromise(llm.complete(request()))
    expect(answer.value).toEqual({ reply: "openai:gpt-5-mini" })
    expect(usage).toMatchObject([
      {
        userId: 7,
        caseId: "fb_employee",
        channel: "dialogue",
        provider: "openai",
        model: "gpt-5-mini",
        inputTokens: 3,
        outputTokens: 5,
        outcome: "ok",
        errorClass: null,
      },
    ])
  })

  test("a work's allowance: each attempt along the chain takes a call; with none left no route is tried", async () => {
    const a = client("openai", { fail: true })
    const b = client("gemini")
    const { llm, usage } = gateway({ openai: a.client, gemini: b.client }, [openai, gemini])
    const allowance = { left: 1 }
    const outcome = await Effect.runPromise(
      llm.complete(request()).pipe(Effect.result, Effect.provideService(AiAllowance, allowance)),
    )
    expect(outcome._tag).toBe("Failure")
    if (outcome._tag === "Failure") expect(outcome.failure.reason).toBe("daily_limit")
    expect(a.calls).toHaveLength(1)
    expect(b.calls).toEqual([])
    expect(usage.map((u) => [u.provider, u.outcome])).toEqual([["openai", "unavailable"]])
    expect(allowance.left).toBe(0)
    // Without an allowance (`bun run eval`) the chain is walked as ever.
    const answered = await Effect.runPromise(llm.complete(request()))
    expect(answered.value).toEqual({ reply: "gemini:gemini-2.5-flash" })
  })

  test("a failing provider → the next route; both attempts recorded in order", async () => {
    const a = client("openai", { fail: true })
    const b = client("gemini")
    const { llm, usage } = gateway({ openai: a.client, gemini: b.client }, [openai, gemini])
    expect((await Effect.runPromise(llm.complete(request()))).value).toEqual({
      reply: "gemini:gemini-2.5-flash",
    })
    expect(usage.map((u) => [u.provider, u.outcome])).toEqual([
      ["openai", "unavailable"],
      ["gemini", "ok"],
    ])
  })

  test("a route whose provider has no key → skipped; every route failing → the last error", async () => {
    const b = client("gemini", { fail: true })
    const { llm } = gateway({ gemini: b.client }, [openai, gemini])
    const error = await Effect.runPromise(Effect.flip(llm.complete(request())))
    expect(error).toMatchObject({ _tag: "LlmError", reason: "unavailable", provider: "gemini" })
    expect(b.calls).toEqual(["gemini-2.5-flash:hi"])
  })

  test("no provider for the chain → no_provider, nothing called", async () => {
    const { llm, usage } = gateway({}, [openai])
    expect(await Effect.runPromise(Effect.flip(llm.complete(request())))).toMatchObject({
      reason: "no_provider",
    })
    expect(usage).toEqual([])
  })

  test("concurrency: never more than the limit in flight; callers start in arrival order (FIFO)", async () => {
    const a = client("openai", { latencyMs: 30 })
    const { llm } = gateway({ openai: a.client }, [openai], { concurrency: 3 })
    const lines = Array.from({ length: 12 }, (_, i) => `line-${i}`)
    await Effect.runPromise(
      Effect.forEach(
        lines,
        (line) => llm.complete(request({ messages: [{ role: "user", content: line }] })),
        {
          concurrency: "unbounded",
        },
      ),
    )
    expect(a.max()).toBe(3)
    expect(a.calls).toEqual(lines.map((line) => `gpt-5-mini:${line}`))
  })

  test("a call that waits longer than the notice delay → onQueued runs once; a call that does not wait → never", async () => {
    const a = client("openai", { latencyMs: 80 })
    const { llm } = gateway({ openai: a.client }, [openai], { concurrency: 1, queuedNoticeMs: 20 })
    const notices: string[] = []
    const call = (who: string) => llm.complete(request({ onQueued: Effect.sync(() => notices.push(who)) }))
    await Effect.runPromise(Effect.all([call("first"), call("second")], { concurrency: "unbounded" }))
    expect(notices).toEqual(["second"])
  })
})
