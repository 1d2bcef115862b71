import { Data, Duration, Effect, type Redacted, Result } from "effect"
import {
  type LlmAnswer,
  LlmError,
  type LlmErrorReason,
  type LlmRequest,
  type ProviderClient,
  type ProviderName,
} from "../services/llm"

/** Per-call budget, shared by every vendor: a timeout per attempt and retries of transient faults. */
export interface RetryOptions {
  readonly timeoutMs: number
  /** Extra attempts after a transient failure (429, 5xx, network, timeout). */
  readonly maxRetries: number
  readonly backoffMs: number
}

/** One failed HTTP attempt, before the retry policy decides what to do with it (0 = no retry-after). */
/** What every provider client is built with: its key, an optional base URL (tests, proxies) and the retry policy. */
export interface ProviderOptions extends RetryOptions {
  readonly apiKey: Redacted.Redacted<string>
  readonly baseUrl?: string
}

export interface Fault {
  readonly reason: LlmErrorReason
  readonly detail: string
  readonly transient: boolean
  readonly retryAfterMs: number
}

/** Maps whatever a vendor SDK threw to a Fault; never copies the SDK's message (it may echo keys or prompts). */
export type Classify = (error: unknown) => Fault

export const fault = (
  reason: LlmErrorReason,
  detail: string,
  transient: boolean,
  retryAfterMs = 0,
): Fault => ({
  reason,
  detail,
  transient,
  retryAfterMs,
})

export interface Usage {
  readonly input: number
  readonly output: number
}

/** One chat request and how to read its response; `read` failures are unusable answers. */
export interface Exchange<R, A> {
  readonly send: (signal: AbortSignal) => Promise<R>
  readonly usage: (response: R) => Usage
  readonly read: (response: R) => Result.Result<A, LlmError>
}

export interface Policy {
  /** One logical request: per-attempt timeout (aborting the request), transient faults retried with backoff. */
  readonly call: <R>(send: (signal: AbortSignal) => Promise<R>) => Effect.Effect<R, LlmError>
  /** A structured answer: `call`, then `read`; an unusable answer earns exactly one more request. */
  readonly answer: <R, A>(model: string, exchange: Exchange<R, A>) => Effect.Effect<LlmAnswer<A>, LlmError>
}

// A longer retry-after than this is not worth keeping a user waiting for: give up as rate_limited.
const MAX_RETRY_AFTER_MS = 30_000

/** An answer that arrived but is unusable (malformed, refused); it earns one more request. */
class BadAnswer extends Data.TaggedError("BadAnswer")<{ readonly error: LlmError }> {}

export const makePolicy = (provider: string, options: RetryOptions, classify: Classify): Policy => {
  const attempt = <R>(send: (signal: AbortSignal) => Promise<R>): Effect.Effect<R, Fault> =>
    Effect.tryPromise({ try: send, catch: classify }).pipe(
      Effect.timeoutOrElse({
        duration: options.timeoutMs,
        orElse: () => Effect.fail(fault("timeout", "request timed out", true)),
      }),
    )

  const delayMs = (failed: Fault, retry: number) =>
    failed.retryAfterMs || options.backoffMs * 2 ** retry * (0.75 + Math.random() * 0.5)

  const withRetries = <R>(
    send: (signal: AbortSignal) => Promise<R>,
    retry: number,
  ): Effect.Effect<R, LlmError> =>
    attempt(send).pipe(
      Effect.catch((failed) => {
        const wait = delayMs(failed, retry)
        if (failed.transient && retry < options.maxRetries && wait <= MAX_RETRY_AFTER_MS) {
          return Effect.sleep(wait).pipe(Effect.andThen(withRetries(send, retry + 1)))
        }
        const detail = `${failed.detail}, attempts ${retry + 1}`
        return Effect.fail(new LlmError({ reason: failed.reason, provider, detail }))
      }),
    )

  const call = <R>(send: (signal: AbortSignal) => Promise<R>) => withRetries(send, 0)

  const answer = <R, A>(model: string, exchange: Exchange<R, A>): Effect.Effect<LlmAnswer<A>, LlmError> =>
    Effect.suspend(() => {
      // Tokens of every answered request count, including a discarded malformed one.
      const usage = { input: 0, output: 0 }
      const once = call(exchange.send).pipe(
        Effect.mapError((e) => (e.reason === "malformed" ? new BadAnswer({ error: e }) : e)),
        Effect.flatMap((response) => {
          const spent = exchange.usage(response)
          usage.input += spent.input
          usage.output += spent.output
          const read = exchange.read(response)
          return Result.isSuccess(read)
            ? Effect.succeed(read.success)
            : Effect.fail(new BadAnswer({ error: read.failure }))
        }),
      )
      return once.pipe(
        Effect.catchTag("BadAnswer", () => once),
        Effect.catchTag("BadAnswer", (bad) => Effect.fail(bad.error)),
        Effect.timed,
        Effect.map(([elapsed, value]) => ({
          value,
          provider,
          model,
          inputTokens: usage.input,
          outputTokens: usage.output,
          latencyMs: Math.round(Duration.toMillis(elapsed)),
        })),
      )
    })

  return { call, answer }
}

/** Parses a Retry-After-style header pair into milliseconds (0 when absent or unusable). */
export const retryAfterHeaderMs = (headers: Headers | undefined): number => {
  const ms = Number(headers?.get("retry-after-ms") ?? Number.NaN)
  const seconds = Number(headers?.get("retry-after") ?? Number.NaN)
  if (Number.isFinite(ms) && ms >= 0) return ms
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 0
}

/**
 * A provider client from its policy and how one structured exchange is built. The exchange is built lazily, so a
 * schema strict mode cannot express is a defect of that call, sent nowhere.
 */
export const structuredClient = <R>(
  name: ProviderName,
  policy: Policy,
  exchange: <A>(model: string, request: LlmRequest<A>) => Exchange<R, A>,
): ProviderClient => ({
  name,
  complete: (model, request) => Effect.suspend(() => policy.answer(model, exchange(model, request))),
})
