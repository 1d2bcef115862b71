import type { Schema } from "effect"
import { coveredKeys, type PersonaTurn, personaTurnSchema, Review } from "../../core/ai-reply"
import type { Cmd } from "../../core/commands"
import type { Feedback } from "../../core/model"
import { type PromptMessage, personaPrompt, reviewPrompt } from "./prompts"
import type { CaseSpec } from "./spec"

/**
 * One AI task, as data: what to ask (system, messages), the shape of the answer (schema), and how a decoded answer
 * becomes the feedback event the reducer gets (`read`, given "provider:model"). The interpreter only runs it.
 */
export interface AiRequest<A> {
  readonly requestId: number
  readonly channel: "dialogue" | "reviewer"
  readonly caseId: string
  readonly system: string
  readonly messages: ReadonlyArray<PromptMessage>
  readonly schema: Schema.Codec<A, unknown>
  readonly schemaName: string
  readonly read: (answer: A, model: string) => Feedback
  /** The persona's turn tells the learner when it waits for a free slot (AiQueued); a review just waits. */
  readonly tellsWhenQueued: boolean
}

export type AiRequestCmd = Extract<Cmd, { _tag: "AskPersona" | "AskReview" }>

/** The persona's next line, with a strict flag per methodology component for the learner's last line. */
export const personaRequest = (
  spec: CaseSpec,
  cmd: Extract<Cmd, { _tag: "AskPersona" }>,
): AiRequest<PersonaTurn> => {
  const keys = spec.methodology.components.map((c) => c.key)
  return {
    requestId: cmd.requestId,
    channel: "dialogue",
    caseId: spec.id,
    ...personaPrompt(spec, cmd.turns, cmd.text),
    schema: personaTurnSchema(keys),
    schemaName: "persona_turn",
    read: (turn, model) => ({
      _tag: "PersonaReplied",
      requestId: cmd.requestId,
      reply: turn.reply,
      covered: coveredKeys(turn, keys),
      model,
    }),
    tellsWhenQueued: true,
  }
}

/** The reviewer's assessment of a finished dialogue. */
export const reviewRequest = (
  spec: CaseSpec,
  cmd: Extract<Cmd, { _tag: "AskReview" }>,
): AiRequest<Review> => ({
  requestId: cmd.requestId,
  channel: "reviewer",
  caseId: spec.id,
  ...reviewPrompt(spec, cmd.turns, cmd.covered),
  schema: Review,
  schemaName: "review",
  read: (review, model) => ({ _tag: "ReviewReady", requestId: cmd.requestId, review, model }),
  tellsWhenQueued: false,
})

/** The request a command asks for, built from its case; null when no such case runs any more. */
export const aiRequestFor = (
  cases: ReadonlyArray<CaseSpec>,
  cmd: AiRequestCmd,
): AiRequest<unknown> | null => {
  const spec = cases.find((c) => c.id === cmd.caseId)
  if (!spec) return null
  return (
    cmd._tag === "AskPersona" ? personaRequest(spec, cmd) : reviewRequest(spec, cmd)
  ) as AiRequest<unknown>
}
