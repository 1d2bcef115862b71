import { Effect } from "effect"
import type { CallOutcome } from "../cases/kernel/ai-requests"
import type { LlmAnswer, LlmError } from "../services/llm"

/** A model call's result as the kernel reads it: the answer and "provider:model", or why it failed. Never fails. */
export const asCallOutcome = <A, R>(
  answer: Effect.Effect<LlmAnswer<A>, LlmError, R>,
): Effect.Effect<CallOutcome, never, R> =>
  answer.pipe(
    Effect.map((a): CallOutcome => ({ ok: true, value: a.value, model: `${a.provider}:${a.model}` })),
    Effect.catchTag("LlmError", (e) => Effect.succeed<CallOutcome>({ ok: false, reason: e.reason })),
  )
