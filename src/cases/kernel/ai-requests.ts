import type { Schema } from "effect"
import { type JudgeAnswer, PersonaReply, Review } from "../../core/ai-reply"
import type { Cmd } from "../../core/commands"
import type { Feedback } from "../../core/model"
import { judgePrompt, judgeSchema, verifyJudgement } from "./judge"
import { type PromptMessage, personaPrompt, reviewPrompt } from "./prompts"
import { rubricVersion } from "./rubric"
import type { CaseSpec } from "./spec"
import { decideReview, type ReviewSample } from "./verdict"

/** One model call, as data: what to ask (system, messages) and the shape of the answer (schema). */
export interface AiCall<A> {
  readonly channel: "dialogue" | "judge" | "reviewer"
  readonly caseId: string
  readonly system: string
  readonly messages: ReadonlyArray<PromptMessage>
  readonly schema: Schema.Codec<A, unknown>
  readonly schemaName: string
}

/** How one call of a task ended: its decoded answer and "provider:model", or why it failed. */
export type CallOutcome =
  | { readonly ok: true; readonly value: unknown; readonly model: string }
  | { readonly ok: false; readonly reason: string }

/**
 * One AI task of the role-play: the calls it makes (run in parallel, each within the AI concurrency limit) and how
 * their outcomes become the one feedback event the reducer gets (`read`). The interpreter only runs it.
 */
export interface AiTask {
  readonly requestId: number
  readonly calls: ReadonlyArray<AiCall<unknown>>
  readonly read: (outcomes: ReadonlyArray<CallOutcome>) => Feedback
  /** The persona's turn tells the learner when its first call waits for a free slot (AiQueued); a review waits. */
  readonly tellsWhenQueued: boolean
  /** Once the first call has answered, how much longer the others may take before they count as failed. */
  readonly lateGraceMs?: number
}

/**
 * The judge runs beside the persona so the learner waits no longer; a judge stuck in its fallback chain may hold the
 * reply only this long after the persona has answered. Its line then counts no step (the review can still find it).
 */
export const JUDGE_GRACE_MS = 5000

export type AiRequestCmd = Extract<Cmd, { _tag: "AskPersona" | "AskReview" }>

const failedWith = (requestId: number, outcomes: ReadonlyArray<CallOutcome>): Feedback => {
  const failure = outcomes.find((o): o is Extract<CallOutcome, { ok: false }> => !o.ok)
  return { _tag: "AiFailed", requestId, reason: failure?.reason ?? "unavailable" }
}

/** The judge's call on one learner line, with the persona's previous line as context (also used by `bun run eval`). */
export const judgeCall = (spec: CaseSpec, previous: string, line: string): AiCall<JudgeAnswer> => ({
  channel: "judge",
  caseId: spec.id,
  ...judgePrompt(spec, previous, line),
  schema: judgeSchema(spec),
  schemaName: "judge_line",
})

/**
 * The persona's next line and, in parallel, the judge of the learner's line (the learner waits no longer). The
 * line is answered even when the judge fails; then no step counts for it.
 */
export const personaTask = (spec: CaseSpec, cmd: Extract<Cmd, { _tag: "AskPersona" }>): AiTask => {
  const previous = cmd.turns.at(-1)?.persona ?? ""
  const persona: AiCall<PersonaReply> = {
    channel: "dialogue",
    caseId: spec.id,
    ...personaPrompt(spec, cmd.turns, cmd.text, cmd.level),
    schema: PersonaReply,
    schemaName: "persona_reply",
  }
  const judge = judgeCall(spec, previous, cmd.text)
  return {
    requestId: cmd.requestId,
    calls: [persona, judge] as ReadonlyArray<AiCall<unknown>>,
    read: (outcomes) => {
      const [said, judged] = outcomes
      if (!said?.ok) return failedWith(cmd.requestId, outcomes)
      const found = judged?.ok
        ? verifyJudgement(spec, judged.value as JudgeAnswer, cmd.text)
        : { covered: [], quotes: {}, unverified: [] }
      return {
        _tag: "PersonaReplied",
        requestId: cmd.requestId,
        reply: (said.value as PersonaReply).reply,
        covered: found.covered,
        quotes: found.quotes,
        unverified: found.unverified,
        judged: judged?.ok ?? false,
        model: said.model,
      }
    },
    tellsWhenQueued: true,
    lateGraceMs: JUDGE_GRACE_MS,
  }
}

/** The reviewer's assessment of a finished dialogue, sampled `samples` times and decided by code (verdict.ts). */
export const reviewTask = (
  spec: CaseSpec,
  cmd: Extract<Cmd, { _tag: "AskReview" }>,
  samples: number,
): AiTask => {
  const call: AiCall<Review> = {
    channel: "reviewer",
    caseId: spec.id,
    ...reviewPrompt(spec, cmd.turns, cmd.covered),
    schema: Review,
    schemaName: "review",
  }
  return {
    requestId: cmd.requestId,
    calls: Array.from({ length: Math.max(1, samples) }, () => call) as ReadonlyArray<AiCall<unknown>>,
    read: (outcomes) => {
      const answers: ReviewSample[] = outcomes.map((o) =>
        o.ok ? { review: o.value as Review, model: o.model } : null,
      )
      if (answers.every((a) => a === null)) return failedWith(cmd.requestId, outcomes)
      const decided = decideReview(spec, cmd.turns, cmd.covered, answers, rubricVersion(spec))
      return {
        _tag: "ReviewReady",
        requestId: cmd.requestId,
        review: decided.shown,
        model: decided.model,
        verdict: decided.verdict,
      }
    },
    tellsWhenQueued: false,
  }
}

/** The task a command asks for, built from its case; null when no such case runs any more. */
export const aiTaskFor = (
  cases: ReadonlyArray<CaseSpec>,
  cmd: AiRequestCmd,
  reviewSamples: number,
): AiTask | null => {
  const spec = cases.find((c) => c.id === cmd.caseId)
  if (!spec) return null
  return cmd._tag === "AskPersona" ? personaTask(spec, cmd) : reviewTask(spec, cmd, reviewSamples)
}
