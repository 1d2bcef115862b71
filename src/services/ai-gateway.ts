import { Effect, Fiber, Semaphore } from "effect"
import type { UsageRecord } from "../repositories/ai.repo"
import { makeBreakers } from "./ai-breaker"
import { takeAiCall } from "./ai-budget"
import {
  type LlmAnswer,
  type LlmChannel,
  LlmError,
  type LlmRequest,
  type LlmShape,
  type ProviderClient,
  type ProviderName,
} from "./llm"

export interface Route {
  readonly provider: ProviderName
  readonly model: string
}

export interface GatewayOptions {
  readonly clients: Partial<Record<ProviderName, ProviderClient>>
  /** The ordered fallback chain for a case and channel (the routing table). */
  readonly routes: (caseId: string, channel: LlmChannel) => ReadonlyArray<Route>
  /** AI_MAX_CONCURRENCY: calls beyond it wait in FIFO order. */
  readonly concurrency: number
  /** After this long in the queue the request's `onQueued` runs once (the learner is told). */
  readonly queuedNoticeMs: number
  readonly record: (usage: UsageRecord, queueWaitMs: number) => Effect.Effect<void>
  /** The AI_MAX_CONCURRENCY slots, shared with transcription and speech so the limit covers every AI call. */
  readonly slots?: Semaphore.Semaphore
  /** Called with +1 when a call gets its slot and -1 when it leaves (the in-flight gauge). */
  readonly inFlight?: (delta: 1 | -1) => void
  /** Every route of a chain failed (the learner is told the AI cannot answer): what was tried, for the log. */
  readonly chainFailed?: (failure: ChainFailure) => Effect.Effect<void>
}

export interface ChainFailure {
  readonly caseId: string
  readonly channel: LlmChannel
  /** Each route tried, in order, with its error class (never a message that could quote the dialogue). */
  readonly tried: ReadonlyArray<{ readonly route: Route; readonly reason: string; readonly detail: string }>
  readonly ms: number
}

/** Routes from config: a per-case override wins over the channel's default chain. */
export const routingTable =
  (
    defaults: Record<LlmChannel, ReadonlyArray<Route>>,
    overrides: ReadonlyArray<{ caseId: string; channel: string; chain: ReadonlyArray<Route> }>,
  ) =>
  (caseId: string, channel: LlmChannel): ReadonlyArray<Route> =>
    overrides.find((o) => o.caseId === caseId && o.channel === channel)?.chain ?? defaults[channel]

/**
 * The Llm service as the app sees it: one call walks the route chain, falling back to the next route when a
 * provider fails (each provider already retried what was worth retrying); every attempt is recorded.
 */
export const makeGateway = (options: GatewayOptions): LlmShape => {
  const slots = options.slots ?? Semaphore.makeUnsafe(options.concurrency)
  const breakers = makeBreakers()

  const attempt = <A>(route: Route, client: ProviderClient, request: LlmRequest<A>, waitedMs: number) => {
    const started = performance.now()
    const usage = (outcome: string, answer?: LlmAnswer<A>, error?: LlmError): UsageRecord => ({
      userId: request.userId ?? null,
      caseId: request.caseId,
      channel: request.channel,
      provider: route.provider,
      model: route.model,
      inputTokens: answer?.inputTokens ?? 0,
      outputTokens: answer?.outputTokens ?? 0,
      latencyMs: performance.now() - started,
      outcome,
      errorClass: error ? error.detail.slice(0, 200) : null,
    })
    return client.complete(route.model, request).pipe(
      Effect.tap((answer) => options.record(usage("ok", answer), waitedMs)),
      Effect.tapError((error) => options.record(usage(error.reason, undefined, error), waitedMs)),
    )
  }

  const walk = <A>(request: LlmRequest<A>, waitedMs: number) =>
    Effect.gen(function* () {
      const chain = options
        .routes(request.caseId, request.channel)
        .flatMap((route) =>
          options.clients[route.provider] ? [[route, options.clients[route.provider]!] as const] : [],
        )
      let last = new LlmError({
        reason: "no_provider",
        provider: "none",
        detail: `no provider for ${request.channel}`,
      })
      const started = performance.now()
      const tried: Array<ChainFailure["tried"][number]> = []
      for (const [i, [route, client]] of chain.entries()) {
        // A provider down again and again is passed over while a fallback follows it (ai-breaker.ts).
        if (i < chain.length - 1 && breakers.skipping(route.provider)) {
          tried.push({ route, reason: "unavailable", detail: "passed over after repeated outages" })
          continue
        }
        // Past the work's allowance no route is tried (nor logged as an outage): the daily cap holds.
        yield* takeAiCall
        const result = yield* Effect.result(attempt(route, client, request, waitedMs))
        breakers.record(route.provider, result._tag === "Failure" ? result.failure : undefined)
        if (result._tag === "Success") return result.success
        last = result.failure
        tried.push({ route, reason: last.reason, detail: last.detail })
      }
      const { caseId, channel } = request
      const ms = Math.round(performance.now() - started)
      if (options.chainFailed) yield* options.chainFailed({ caseId, channel, tried, ms })
      return yield* Effect.fail(last)
    })

  return {
    complete: (request) =>
      Effect.gen(function* () {
        const queuedAt = performance.now()
        const notice = yield* Effect.forkChild(
          Effect.delay(request.onQueued ?? Effect.void, options.queuedNoticeMs).pipe(Effect.ignore),
        )
        return yield* slots.withPermits(1)(
          Effect.gen(function* () {
            yield* Fiber.interrupt(notice)
            options.inFlight?.(1)
            return yield* walk(request, performance.now() - queuedAt).pipe(
              Effect.ensuring(Effect.sync(() => options.inFlight?.(-1))),
            )
          }),
        )
      }),
  }
}
