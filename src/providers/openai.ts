import { type JsonSchema, Redacted, Result } from "effect"
import OpenAI from "openai"
import { type LlmChannel, LlmError, type LlmRequest, type ProviderClient, parseAnswer } from "../services/llm"
import { toStrictJsonSchema } from "./json-schema"
import {
  type Fault,
  fault,
  makePolicy,
  type ProviderOptions,
  retryAfterHeaderMs,
  structuredClient,
} from "./policy"

export type OpenAiClientOptions = ProviderOptions

const PROVIDER = "openai"
const MAX_COMPLETION_TOKENS: Record<LlmChannel, number> = { dialogue: 800, judge: 1200, reviewer: 2000 }

/** The SDK with its own retries off: our Effect policy owns retries and timeouts. */
export const openAiSdk = (options: OpenAiClientOptions): OpenAI =>
  new OpenAI({
    apiKey: Redacted.value(options.apiKey),
    ...(options.baseUrl ? { baseURL: options.baseUrl } : {}),
    maxRetries: 0,
    // Only a backstop: the policy interrupts (and so aborts) each attempt first.
    timeout: options.timeoutMs + 1_000,
    logLevel: "off",
  })

// Never the SDK's message: a 401 message echoes part of the key, others may quote the request.
export const classifyOpenAi = (e: unknown): Fault => {
  if (e instanceof OpenAI.APIConnectionTimeoutError) return fault("timeout", "request timed out", true)
  if (e instanceof OpenAI.APIConnectionError) return fault("unavailable", "network error", true)
  if (e instanceof SyntaxError) return fault("malformed", "unparsable HTTP body", false)
  if (!(e instanceof OpenAI.APIError) || e.status === undefined) {
    return fault("unavailable", e instanceof Error ? e.constructor.name : typeof e, false)
  }
  const status = e.status
  const code = typeof e.code === "string" && /^[\w.-]{1,64}$/.test(e.code) ? ` ${e.code}` : ""
  const detail = `HTTP ${status}${code}`
  if (status === 429) return fault("rate_limited", detail, true, retryAfterHeaderMs(e.headers))
  if (status === 408) return fault("timeout", detail, true)
  if (status === 409 || status >= 500) return fault("unavailable", detail, true)
  return fault([401, 403, 404].includes(status) ? "unavailable" : "refused", detail, false)
}

const readAnswer = <A>(
  request: LlmRequest<A>,
  completion: OpenAI.ChatCompletion,
): Result.Result<A, LlmError> => {
  const choice = completion.choices[0]
  const finish = choice?.finish_reason ?? "none"
  const refused = (detail: string) =>
    Result.fail(new LlmError({ reason: "refused", provider: PROVIDER, detail }))
  if (choice?.message.refusal) return refused("model refusal")
  if (finish === "content_filter") return refused("content filter")
  return parseAnswer(request, choice?.message.content ?? "", PROVIDER, finish)
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

export const makeOpenAiClient = (options: OpenAiClientOptions): ProviderClient => {
  const client = openAiSdk(options)
  return structuredClient(PROVIDER, makePolicy(PROVIDER, options, classifyOpenAi), (model, request) => {
    const body = chatBody(request, model, toStrictJsonSchema(request.schema))
    return {
      send: (signal) => client.chat.completions.create(body, { signal }),
      usage: (completion: OpenAI.ChatCompletion) => ({
        input: completion.usage?.prompt_tokens ?? 0,
        output: completion.usage?.completion_tokens ?? 0,
      }),
      read: (completion: OpenAI.ChatCompletion) => readAnswer(request, completion),
    }
  })
}
