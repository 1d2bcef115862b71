import { Schema } from "effect"

/** The persona's answer each turn: only its line. Which steps the learner's line showed is the judge's call. */
export const PersonaReply = Schema.Struct({ reply: Schema.String })
export type PersonaReply = typeof PersonaReply.Type

const StepFinding = Schema.Struct({ present: Schema.Boolean, quote: Schema.String })

/**
 * The per-turn judge's answer: for every methodology component of the case, whether the learner's last line shows
 * it and the exact words that do. Built from the case's component keys; booleans are booleans.
 */
export const judgeAnswerSchema = (keys: ReadonlyArray<string>) =>
  Schema.Struct(Object.fromEntries(keys.map((key) => [key, StepFinding]))) as unknown as Schema.Codec<
    JudgeAnswer,
    unknown
  >

export type JudgeAnswer = Readonly<Record<string, { readonly present: boolean; readonly quote: string }>>

/** One reviewer's assessment of the whole dialogue (sampled REVIEW_SAMPLES times, decided by majority). */
export const Review = Schema.Struct({
  overall: Schema.String,
  components: Schema.Array(
    Schema.Struct({
      key: Schema.String,
      covered: Schema.Boolean,
      evidence: Schema.String,
      better: Schema.String,
    }),
  ),
  strengths: Schema.Array(Schema.String),
  growth: Schema.Array(Schema.String),
})
export type Review = typeof Review.Type

/** One reviewer sample's vote on a step: covered, not covered, or none (that sample failed). */
export type Vote = boolean | null

/**
 * The review as code decided it from the samples: a step is covered when most samples say so with a quote found
 * in the learner's words (or, without one, as the per-turn judge decided); a step without a majority (or credited
 * by the per-turn judge, shown ✅ live, and found missed by the majority) is disputed
 * («спорно») and not covered. Stored with the attempt, with what it was decided by.
 */
export interface ReviewVerdict {
  readonly covered: ReadonlyArray<string>
  readonly disputed: ReadonlyArray<string>
  /** The verified quote per covered step (from a sample or the per-turn judge). */
  readonly evidence: Readonly<Record<string, string>>
  /** Per step, each sample's vote in order. */
  readonly votes: Readonly<Record<string, ReadonlyArray<Vote>>>
  /** Hash of the case's definitions and prompt files the verdict was made under. */
  readonly rubric: string
  /** "provider:model" of each sample (null: the sample failed). */
  readonly models: ReadonlyArray<string | null>
  /** Quotes the reviewer proposed for covered steps, and how many of them were not in the learner's words. */
  readonly quotesProposed: number
  readonly quotesUnverified: number
}
