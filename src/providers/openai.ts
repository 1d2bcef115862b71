import { Data, Duration, Effect, type JsonSchema, Layer, Redacted, Result } from "effect"
import OpenAI from "openai"
import {
  Llm,
  type LlmAnswer,
  type LlmChannel,
  LlmError,
  type LlmErrorReason,
  type LlmRequest,
  type LlmShape,
  parseAnswer,
} from "../services/llm"
import { toStrictJsonSchema } from "./json-schema"

export { noProviderLlm } from "../services/llm"

export interface OpenAiOptions {
  readonly apiKey: Redacted.Redacted<string>
  readonly baseUrl?: string
  readonly models: Record<LlmChannel, string>
  readonly timeoutMs: number
  /** Extra attempts after a transient failure (429, 5xx, network, timeout). */
  readonly maxRetries: number
  readonly backoffMs: number
}

const PROVIDER = "openai"
const MAX_COMPLETION_TOKENS: Record<LlmChannel, number> = { dialogue: 800, reviewer: 2000 }
// A longer retry-after than this is not worth keeping a user waiting for: give up as rate_limited.
const MAX_RETRY_AFTER_MS = 30_000

/** One failed HTTP attempt, before the retry policy decides what to do with it (0 = no retry-after). */
const fault = (reason: LlmErrorReason, detail: string, transient: boolean, retryAfterMs = 0) => ({
  reason,
  detail,
  transient,
  retryAfterMs,
})
type Fault = ReturnType<typeof fault>

/** An answer that arrived but is unusable; it earns one more request. */
class BadAnswer extends Data.TaggedError("BadAnswer")<{ readonly error: LlmError }> {}

const bad = (reason: "malformed" | "refused", detail: string) =>
  new BadAnswer({ error: new LlmError({ reason, provider: PROVIDER, detail }) })

const retryAfterMs = (headers: Headers | undefined): number => {
  const ms = Number(headers?.get("retry-after-ms") ?? Number.NaN)
  const seconds = Number(headers?.get("retry-after") ?? Number.NaN)
  if (Number.isFinite(ms) && ms >= 0) return ms
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 0
}

// Never the SDK's message: a 401 message echoes part of the key, others may quote the request.
const classify = (e: unknown): Fault => {
  if (e instanceof OpenAI.APIConnectionTimeoutError) return fault("timeout", "request timed out", true)
  if (e instanceof OpenAI.APIConnectionError) return fault("unavailable", "network error", true)
  if (e instanceof SyntaxError) return fault("malformed", "unparsable HTTP body", false)
  if (!(e instanceof OpenAI.APIError) || e.status === undefined) {
    return fault("unavailable", e instanceof Error ? e.constructor.name : typeof e, false)
  }
  const status = e.status
  const code = typeof e.code === "string" && /^[\w.-]{1,64}$/.test(e.code) ? ` ${e.code}` : ""
  const detail = `HTTP ${status}${code}`
  if (status === 429) return fault("rate_limited", detail, true, retryAfterMs(e.headers))
  if (status === 408) return fault("timeout", detail, true)
  if (status === 409 || status >= 500) return fault("unavailable", detail, true)
  return fault([401, 403, 404].includes(status) ? "unavailable" : "refused", detail, false)
}

const readAnswer = <A>(
  request: LlmRequest<A>,
  completion: OpenAI.ChatCompletion,
): Effect.Effect<A, BadAnswer> => {
  const choice = completion.choices[0]
  const finish = choice?.finish_reason ?? "none"
  if (choice?.message.refusal) return Effect.fail(bad("refused", "model refusal"))
  if (finish === "content_filter") return Effect.fail(bad("refused", "content filter"))
  const parsed = parseAnswer(request, choice?.message.content ?? "", PROVIDER, finish)
  return Result.isSuccess(parsed)
    ? Effect.succeed(parsed.success)
    : Effect.fail(new BadAnswer({ error: parsed.failure }))
}

const chatBody = <A>(
  request: LlmRequest<A>,
  model: string,
  schema: JsonSchema.JsonSchema,
): OpenAI.ChatCompletionCreateParamsNonStreaming => ({
  model,
  messages: [
    { role: "system", content: request.system },
    ...request.messages.map((m) => ({ role: m.role, content: m.content })),
  ],
  response_format: { type: "json_schema", json_schema: { name: request.schemaName, strict: true, schema } },
  // gpt-5 reasoning models reject temperature/max_tokens; max_completion_tokens works for every chat model.
  max_completion_tokens: MAX_COMPLETION_TOKENS[request.channel],
  ...(model.startsWith("gpt-5") ? { reasoning_effort: "low" as const } : {}),
})

export const makeOpenAiLlm = (options: OpenAiOptions): LlmShape => {
  const client = new OpenAI({
    apiKey: Redacted.value(options.apiKey),
    ...(options.baseUrl ? { baseURL: options.baseUrl } : {}),
    // Our Effect policy owns retries and timeouts; the SDK's timer is only a backstop.
    maxRetries: 0,
    timeout: options.timeoutMs + 1_000,
    logLevel: "off",
  })

  const attempt = (
    body: OpenAI.ChatCompletionCreateParamsNonStreaming,
  ): Effect.Effect<OpenAI.ChatCompletion, Fault> =>
    Effect.tryPromise({
      try: (signal) => client.chat.completions.create(body, { signal }),
      catch: classify,
    }).pipe(
      Effect.timeoutOrElse({
        duration: options.timeoutMs,
        orElse: () => Effect.fail(fault("timeout", "request timed out", true)),
      }),
    )

  const delayMs = (failed: Fault, retry: number) =>
    failed.retryAfterMs || options.backoffMs * 2 ** retry * (0.75 + Math.random() * 0.5)

  const withRetries = (
    body: OpenAI.ChatCompletionCreateParamsNonStreaming,
    retry = 0,
  ): Effect.Effect<OpenAI.ChatCompletion, Fault & { readonly attempts: number }> =>
    attempt(body).pipe(
      Effect.catch((failed) => {
        const wait = delayMs(failed, retry)
        return failed.transient && retry < options.maxRetries && wait <= MAX_RETRY_AFTER_MS
          ? Effect.sleep(wait).pipe(Effect.andThen(withRetries(body, retry + 1)))
          : Effect.fail({ ...failed, attempts: retry + 1 })
      }),
    )

  const complete = <A>(request: LlmRequest<A>): Effect.Effect<LlmAnswer<A>, LlmError> =>
    Effect.suspend(() => {
      const model = options.models[request.channel]
      const body = chatBody(request, model, toStrictJsonSchema(request.schema))
      // Tokens of every answered request count, including a discarded malformed one.
      const usage = { input: 0, output: 0 }
      const once = withRetries(body).pipe(
        Effect.mapError((f) => {
          const detail = `${f.detail}, attempts ${f.attempts}`
          return f.reason === "malformed"
            ? bad("malformed", detail)
            : new LlmError({ reason: f.reason, provider: PROVIDER, detail })
        }),
        Effect.flatMap((completion) => {
          usage.input += completion.usage?.prompt_tokens ?? 0
          usage.output += completion.usage?.completion_tokens ?? 0
          return readAnswer(request, completion)
        }),
      )
      return once.pipe(
        Effect.catchTag("BadAnswer", () => once),
        Effect.catchTag("BadAnswer", (b) => Effect.fail(b.error)),
        Effect.timed,
        Effect.map(([elapsed, value]) => ({
          value,
          provider: PROVIDER,
          model,
          inputTokens: usage.input,
          outputTokens: usage.output,
          latencyMs: Math.round(Duration.toMillis(elapsed)),
        })),
      )
    })

  return { complete }
}

export const OpenAiLlm = {
  /** Build only when an API key is configured; otherwise provide `noProviderLlm`. */
  layer: (options: OpenAiOptions): Layer.Layer<Llm> => Layer.sync(Llm, () => makeOpenAiLlm(options)),
}
