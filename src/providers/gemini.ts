import type { GenerateContentParameters, GenerateContentResponse, GoogleGenAI } from "@google/genai"
import { type JsonSchema, Redacted, Result } from "effect"
import { type LlmChannel, LlmError, type LlmRequest, type ProviderClient, parseAnswer } from "../services/llm"
import { toGeminiJsonSchema } from "./gemini-schema"
import { type Fault, fault, makePolicy, type ProviderOptions, structuredClient } from "./policy"

export type GeminiClientOptions = ProviderOptions

const PROVIDER = "gemini"
// Thinking tokens count against this limit on 2.5 models, so it only guards against a runaway answer.
const MAX_OUTPUT_TOKENS: Record<LlmChannel, number> = { dialogue: 4_000, judge: 6_000, reviewer: 8_000 }
const BLOCKED = new Set(["SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY"])

/**
 * The SDK with its own retries off (no `retryOptions`): our Effect policy owns retries and timeouts. Loaded on the
 * first call, not at start: the SDK costs ~20 MiB that a bot which never reaches Gemini need not hold.
 */
export const geminiSdk = (options: GeminiClientOptions): (() => Promise<GoogleGenAI>) => {
  let sdk: Promise<GoogleGenAI> | undefined
  return () => {
    sdk ??= import("@google/genai").then(({ GoogleGenAI }) => newSdk(GoogleGenAI, options))
    return sdk
  }
}

const newSdk = (GoogleGenAI: typeof import("@google/genai").GoogleGenAI, options: GeminiClientOptions) =>
  new GoogleGenAI({
    apiKey: Redacted.value(options.apiKey),
    // The SDK defaults to v1, whose GenerationConfig has lacked responseMimeType/responseJsonSchema.
    apiVersion: "v1beta",
    // The timeout is only a backstop: the policy interrupts (and so aborts) each attempt first.
    httpOptions: {
      ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
      timeout: options.timeoutMs + 1_000,
    },
  })

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null

/** The Google error body the SDK puts in `ApiError.message`: only its status name and RetryInfo delay. */
const errorBody = (message: string): { status: string; retryAfterMs: number } => {
  let body: unknown
  try {
    body = JSON.parse(message)
  } catch {
    body = undefined
  }
  const error = isRecord(body) && isRecord(body.error) ? body.error : {}
  const status = typeof error.status === "string" && /^[A-Z_]{1,64}$/.test(error.status) ? error.status : ""
  const details: ReadonlyArray<unknown> = Array.isArray(error.details) ? error.details : []
  const delay = details
    .flatMap((d) => (isRecord(d) && typeof d.retryDelay === "string" ? [d.retryDelay] : []))
    .map((text) => /^(\d+(?:\.\d+)?)s$/.exec(text)?.[1])
    .find((seconds) => seconds !== undefined)
  return { status, retryAfterMs: delay === undefined ? 0 : Number(delay) * 1000 }
}

// The SDK's ApiError, known by its name and numeric status: the class itself is loaded only with the SDK.
const isApiError = (e: unknown): e is Error & { readonly status: number } =>
  e instanceof Error && e.name === "ApiError" && typeof (e as { status?: unknown }).status === "number"

// Never the SDK's message: a 400 may quote the request.
export const classifyGemini = (e: unknown): Fault => {
  if (e instanceof DOMException && (e.name === "AbortError" || e.name === "TimeoutError")) {
    return fault("timeout", "request timed out", true)
  }
  if (e instanceof SyntaxError) return fault("malformed", "unparsable HTTP body", false)
  if (e instanceof TypeError) return fault("unavailable", "network error", true)
  if (!isApiError(e)) return fault("unavailable", e instanceof Error ? e.constructor.name : typeof e, false)
  // ApiError carries no headers: Google sends the retry delay as RetryInfo in the body instead.
  const { status, retryAfterMs } = errorBody(e.message)
  const detail = `HTTP ${e.status}${status ? ` ${status}` : ""}`
  if (e.status === 429) return fault("rate_limited", detail, true, retryAfterMs)
  if (e.status === 408) return fault("timeout", detail, true)
  if (e.status === 409 || e.status >= 500) return fault("unavailable", detail, true)
  const unavailable = [401, 403, 404].includes(e.status) || status === "FAILED_PRECONDITION"
  return fault(unavailable ? "unavailable" : "refused", detail, false)
}

/** Text parts of the first candidate, without thoughts (the SDK's `text` getter logs warnings instead). */
export const responseText = (response: GenerateContentResponse): string =>
  (response.candidates?.[0]?.content?.parts ?? [])
    .flatMap((part) => (typeof part.text === "string" && !part.thought ? [part.text] : []))
    .join("")

const readAnswer = <A>(
  request: LlmRequest<A>,
  response: GenerateContentResponse,
): Result.Result<A, LlmError> => {
  const refused = (detail: string) =>
    Result.fail(new LlmError({ reason: "refused", provider: PROVIDER, detail }))
  const blocked = response.promptFeedback?.blockReason
  if (blocked) return refused(`prompt blocked ${blocked}`)
  const finish = String(response.candidates?.[0]?.finishReason ?? "none")
  if (BLOCKED.has(finish)) return refused(`finish_reason ${finish}`)
  return parseAnswer(request, responseText(response), PROVIDER, finish)
}

const generateParams = <A>(
  request: LlmRequest<A>,
  model: string,
  schema: JsonSchema.JsonSchema,
): GenerateContentParameters => ({
  model,
  contents: request.messages.map((m) => ({
    role: m.role === "assistant" ? "model" : "user",
    parts: [{ text: m.content }],
  })),
  config: {
    // The original never sent this; without it the persona and the reviewer rules are lost.
    systemInstruction: request.system,
    responseMimeType: "application/json",
    responseJsonSchema: schema,
    maxOutputTokens: MAX_OUTPUT_TOKENS[request.channel],
  },
})

export const makeGeminiClient = (options: GeminiClientOptions): ProviderClient => {
  const client = geminiSdk(options)
  return structuredClient(PROVIDER, makePolicy(PROVIDER, options, classifyGemini), (model, request) => {
    const params = generateParams(request, model, toGeminiJsonSchema(request.schema))
    return {
      send: (abortSignal) =>
        client().then((sdk) =>
          sdk.models.generateContent({ ...params, config: { ...params.config, abortSignal } }),
        ),
      usage: (response: GenerateContentResponse) => ({
        input: response.usageMetadata?.promptTokenCount ?? 0,
        // Thinking tokens are billed as output, like OpenAI's reasoning tokens in completion_tokens.
        output:
          (response.usageMetadata?.candidatesTokenCount ?? 0) +
          (response.usageMetadata?.thoughtsTokenCount ?? 0),
      }),
      read: (response: GenerateContentResponse) => readAnswer(request, response),
    }
  })
}
