import type { Review, ReviewVerdict, Vote } from "../../core/ai-reply"
import type { Turn } from "../../core/attempt"
import { quoteVerified } from "../../core/quotes"
import type { CaseSpec } from "./spec"

/** One reviewer sample: its answer and the model that gave it, or null when that call failed. */
export type ReviewSample = { readonly review: Review; readonly model: string } | null

interface StepVotes {
  readonly votes: Vote[]
  /** Verified quotes from the samples that voted covered, in sample order. */
  readonly quotes: string[]
}

/**
 * A sample's vote on one step. AI proposes, code decides: «covered» needs a quote found in the learner's own lines;
 * without one (or when the sample skipped the step) the vote is what the per-turn judge decided.
 */
const voteOf = (
  sample: Review,
  key: string,
  lines: ReadonlyArray<string>,
  detected: ReadonlyArray<string>,
  tally: { proposed: number; unverified: number },
): { vote: boolean; quote: string | null } => {
  const item = sample.components.find((c) => c.key === key)
  if (!item) return { vote: detected.includes(key), quote: null }
  if (!item.covered) return { vote: false, quote: null }
  tally.proposed += 1
  if (quoteVerified(item.evidence, lines)) return { vote: true, quote: item.evidence.trim() }
  tally.unverified += 1
  return { vote: detected.includes(key), quote: null }
}

/**
 * A verdict needs more than half of all samples (a failed one counts as no vote); otherwise it is disputed. A step
 * the per-turn judge credited with a verified quote was shown ✅ in the live checklist: a majority against it is a
 * disagreement to show («спорно»), not a silent ✅ → ❌.
 */
const decide = (votes: ReadonlyArray<Vote>, creditedLive: boolean): "covered" | "missed" | "disputed" => {
  const yes = votes.filter((v) => v === true).length
  const no = votes.filter((v) => v === false).length
  if (yes * 2 > votes.length) return "covered"
  if (no * 2 > votes.length && !creditedLive) return "missed"
  return "disputed"
}

/**
 * The review of a finished dialogue, decided by code from `samples` (at least one must have an answer): the
 * per-step majority, verified quotes only, and the texts of the sample that agrees with the verdict most.
 */
export const decideReview = (
  spec: CaseSpec,
  turns: ReadonlyArray<Turn>,
  detected: ReadonlyArray<string>,
  samples: ReadonlyArray<ReviewSample>,
  rubric: string,
): { readonly verdict: ReviewVerdict; readonly shown: Review; readonly model: string } => {
  const lines = turns.map((t) => t.learner)
  const tally = { proposed: 0, unverified: 0 }
  const steps = new Map<string, StepVotes>()
  for (const { key } of spec.methodology.components) {
    const step: StepVotes = { votes: [], quotes: [] }
    for (const sample of samples) {
      if (sample === null) {
        step.votes.push(null)
        continue
      }
      const { vote, quote } = voteOf(sample.review, key, lines, detected, tally)
      step.votes.push(vote)
      if (quote) step.quotes.push(quote)
    }
    steps.set(key, step)
  }
  const judgeQuote = (key: string) => turns.find((t) => t.quotes?.[key])?.quotes?.[key] ?? ""
  const keys = spec.methodology.components.map((c) => c.key)
  const outcome = (key: string) => decide(steps.get(key)!.votes, detected.includes(key))
  const covered = keys.filter((k) => outcome(k) === "covered")
  const disputed = keys.filter((k) => outcome(k) === "disputed")
  const evidence = Object.fromEntries(covered.map((k) => [k, steps.get(k)!.quotes[0] ?? judgeQuote(k)]))

  const answered = samples.flatMap((s, i) => (s === null ? [] : [{ ...s, index: i }]))
  const agreement = (index: number) =>
    keys.filter((k) => steps.get(k)!.votes[index] === covered.includes(k)).length
  const closest = answered.reduce((best, s) => (agreement(s.index) > agreement(best.index) ? s : best))
  const betterFor = (key: string) =>
    [closest, ...answered]
      .map((s) => s.review.components.find((c) => c.key === key)?.better ?? "")
      .find(Boolean) ?? ""
  const shown: Review = {
    ...closest.review,
    components: keys.map((key) => ({
      key,
      covered: covered.includes(key),
      evidence: evidence[key] ?? "",
      better: covered.includes(key) ? "" : betterFor(key),
    })),
  }
  const verdict: ReviewVerdict = {
    covered,
    disputed,
    evidence,
    votes: Object.fromEntries(keys.map((k) => [k, steps.get(k)!.votes])),
    rubric,
    models: samples.map((s) => s?.model ?? null),
    quotesProposed: tally.proposed,
    quotesUnverified: tally.unverified,
  }
  return { verdict, shown, model: closest.model }
}
