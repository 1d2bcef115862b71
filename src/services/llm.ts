import { Context, Data, Effect, Result, Schema, type SchemaIssue } from "effect"

export type LlmChannel = "dialogue" | "judge" | "reviewer"
export type ProviderName = "openai" | "gemini"

export interface LlmMessage {
  readonly role: "user" | "assistant"
  readonly content: string
}

export interface LlmRequest<A> {
  readonly channel: LlmChannel
  readonly caseId: string
  readonly system: string
  /** The whole history, rebuilt by the caller each turn; providers keep no state. */
  readonly messages: ReadonlyArray<LlmMessage>
  /** Describes the JSON answer: a Struct of String/Boolean/Array/Struct/Literals (see toStrictJsonSchema). */
  readonly schema: Schema.Codec<A, unknown>
  readonly schemaName: string
  /** Who the call is for: usage accounting and the daily cap. */
  readonly userId?: number
  /** Runs once when the call has waited for a free slot for a few seconds (the learner is told). */
  readonly onQueued?: Effect.Effect<void>
}

export interface LlmAnswer<A> {
  readonly value: A
  readonly provider: string
  readonly model: string
  readonly inputTokens: number
  readonly outputTokens: number
  readonly latencyMs: number
}

export type LlmErrorReason =
  | "daily_limit"
  | "timeout"
  | "rate_limited"
  | "unavailable"
  | "malformed"
  | "refused"
  | "no_provider"

/** `detail` is a short class/status description: never the API key, the prompt or the user's text. */
export class LlmError extends Data.TaggedError("LlmError")<{
  readonly reason: LlmErrorReason
  readonly provider: string
  readonly detail: string
}> {}

export interface LlmShape {
  readonly complete: <A>(request: LlmRequest<A>) => Effect.Effect<LlmAnswer<A>, LlmError>
}

export class Llm extends Context.Service<Llm, LlmShape>()("emco/Llm") {}

/**
 * One vendor behind the gateway: the gateway picks the model per route (case × channel) and falls back along
 * the chain; the provider applies the failure policy (timeouts, transient retries, one retry of a bad answer).
 */
export interface ProviderClient {
  readonly name: ProviderName
  readonly complete: <A>(model: string, request: LlmRequest<A>) => Effect.Effect<LlmAnswer<A>, LlmError>
}

/** Used when no provider key is configured: every call fails at once and the caller decides what to show. */
export const noProviderLlm: LlmShape = {
  complete: () =>
    Effect.fail(
      new LlmError({ reason: "no_provider", provider: "none", detail: "no LLM provider configured" }),
    ),
}

/** The property path of the first failing field (schema keys and indices only, never the offending value). */
export const issuePath = (issue: SchemaIssue.Issue): string => {
  const path: Array<PropertyKey> = []
  let current: SchemaIssue.Issue | undefined = issue
  while (current) {
    switch (current._tag) {
      case "Pointer":
        path.push(...current.path)
        current = current.issue
        break
      case "Filter":
      case "Encoding":
        current = current.issue
        break
      case "Composite":
      case "AnyOf":
        current = current.issues[0]
        break
      default:
        current = undefined
    }
  }
  return path.length === 0 ? "root" : path.map(String).join(".")
}

/** Decodes a raw JSON value with the request's schema; a mismatch is a `malformed` LlmError. */
export const decodeAnswer = <A>(
  request: LlmRequest<A>,
  raw: unknown,
  provider: string,
): Result.Result<A, LlmError> =>
  Result.mapError(
    Schema.decodeUnknownResult(request.schema)(raw),
    (error) =>
      new LlmError({
        reason: "malformed",
        provider,
        detail: `${request.schemaName}: schema mismatch at ${issuePath(error.issue)}`,
      }),
  )

/** A model's text answer: strict JSON.parse (no brace slicing, no repair), then the schema. */
export const parseAnswer = <A>(
  request: LlmRequest<A>,
  content: string,
  provider: string,
  finishReason: string,
): Result.Result<A, LlmError> => {
  const malformed = (detail: string) => Result.fail(new LlmError({ reason: "malformed", provider, detail }))
  if (content === "") return malformed(`empty content (finish_reason ${finishReason})`)
  try {
    return decodeAnswer(request, JSON.parse(content), provider)
  } catch {
    return malformed(`invalid JSON (finish_reason ${finishReason})`)
  }
}

export interface ScriptedLlm extends LlmShape {
  readonly requests: ReadonlyArray<LlmRequest<unknown>>
}

/**
 * A fake for tests elsewhere: answers with the scripted raw values in order, decoding each one with the
 * request's schema (so fakes go through the same validation), or fails with a scripted LlmError.
 */
export const makeScriptedLlm = (answers: Array<unknown | LlmError>): ScriptedLlm => {
  const queue = [...answers]
  const requests: Array<LlmRequest<unknown>> = []
  const complete = <A>(request: LlmRequest<A>): Effect.Effect<LlmAnswer<A>, LlmError> =>
    Effect.suspend(() => {
      requests.push(request)
      if (queue.length === 0) return Effect.die(new Error("makeScriptedLlm: no scripted answer left"))
      const next = queue.shift()
      if (next instanceof LlmError) return Effect.fail(next)
      const decoded = decodeAnswer(request, next, "scripted")
      if (Result.isFailure(decoded)) return Effect.fail(decoded.failure)
      return Effect.succeed({
        value: decoded.success,
        provider: "scripted",
        model: `scripted-${request.channel}`,
        inputTokens: 0,
        outputTokens: 0,
        latencyMs: 0,
      })
    })
  return { complete, requests }
}
