import { type AiCall, type CallOutcome, judgeCall, reviewTask } from "../../src/cases/kernel/ai-requests"
import { verifyJudgement } from "../../src/cases/kernel/judge"
import type { CaseSpec } from "../../src/cases/kernel/spec"
import type { JudgeAnswer } from "../../src/core/ai-reply"
import type { Turn } from "../../src/core/attempt"
import { withoutInvisible } from "../../src/lib/invisible"
import type { CaseSet, DialogueTurn } from "./labels"

/** One model call as the bot would make it, answered by whatever provider the run uses. */
export type Ask = (call: AiCall<unknown>) => Promise<CallOutcome>

/** What the judge said about one labelled line, sample by sample (null: the sample failed). */
export interface LineRun {
  readonly id: string
  readonly expected: ReadonlyArray<string>
  readonly tags: ReadonlyArray<string>
  /** Steps code accepted (quote found in the line), per sample. */
  readonly samples: ReadonlyArray<ReadonlyArray<string> | null>
  readonly quotesProposed: number
  readonly quotesUnverified: number
}

/** The decided review of one dialogue: covered steps, each step's votes, and the quote tally. */
export interface DialogueVerdict {
  readonly covered: ReadonlyArray<string>
  readonly votes: Readonly<Record<string, ReadonlyArray<boolean | null>>>
  readonly quotesProposed: number
  readonly quotesUnverified: number
}

export interface DialogueRun {
  readonly id: string
  readonly expected: Readonly<Record<string, boolean>>
  /** null: every reviewer sample failed. */
  readonly clean: DialogueVerdict | null
  readonly injected: DialogueVerdict | null
}

export interface CaseRun {
  readonly caseId: string
  readonly lines: ReadonlyArray<LineRun>
  readonly dialogues: ReadonlyArray<DialogueRun>
}

/** The judge on one line, exactly as in a dialogue: learner text cleaned as at intake, code verifies the quotes. */
const judgeOnce = async (spec: CaseSpec, ask: Ask, context: string, text: string) => {
  const line = withoutInvisible(text)
  const outcome = await ask(judgeCall(spec, context, line))
  if (!outcome.ok) return null
  const found = verifyJudgement(spec, outcome.value as JudgeAnswer, line)
  // Every step the judge claimed either verified (covered) or not (unverified).
  const proposed = found.covered.length + found.unverified.length
  return { covered: found.covered, quotes: found.quotes, proposed, unverified: found.unverified.length }
}

const runLine = async (spec: CaseSpec, ask: Ask, samples: number, line: CaseSet["lines"][number]) => {
  const results = await Promise.all(
    Array.from({ length: samples }, () => judgeOnce(spec, ask, line.context, line.text)),
  )
  return {
    id: line.id,
    expected: line.expected,
    tags: line.tags,
    samples: results.map((r) => r?.covered ?? null),
    quotesProposed: results.reduce((sum, r) => sum + (r?.proposed ?? 0), 0),
    quotesUnverified: results.reduce((sum, r) => sum + (r?.unverified ?? 0), 0),
  }
}

/** A whole dialogue as the bot would judge it: the judge on every learner line, then the sampled review. */
const reviewDialogue = async (
  spec: CaseSpec,
  ask: Ask,
  samples: number,
  dialogue: ReadonlyArray<DialogueTurn>,
): Promise<DialogueVerdict | null> => {
  const turns: Turn[] = await Promise.all(
    dialogue.map(async (turn, i) => {
      const judged = await judgeOnce(spec, ask, dialogue[i - 1]?.persona ?? "", turn.learner)
      const learner = withoutInvisible(turn.learner)
      return { learner, persona: turn.persona, covered: judged?.covered ?? [], quotes: judged?.quotes ?? {} }
    }),
  )
  const covered = [...new Set(turns.flatMap((t) => t.covered))]
  const task = reviewTask(spec, { _tag: "AskReview", requestId: 0, caseId: spec.id, turns, covered }, samples)
  const feedback = task.read(await Promise.all(task.calls.map(ask)))
  if (feedback._tag !== "ReviewReady" || !feedback.verdict) return null
  const { verdict } = feedback
  return {
    covered: verdict.covered,
    votes: verdict.votes,
    quotesProposed: verdict.quotesProposed,
    quotesUnverified: verdict.quotesUnverified,
  }
}

/** Runs one case's labelled set: `samples` judge calls per line, and each dialogue (clean and injected) reviewed. */
export const evaluateCase = async (
  spec: CaseSpec,
  set: CaseSet,
  ask: Ask,
  samples: number,
): Promise<CaseRun> => {
  const lines = await Promise.all(set.lines.map((line) => runLine(spec, ask, samples, line)))
  const dialogues = await Promise.all(
    set.dialogues.map(async (d) => {
      const [clean, injected] = await Promise.all([
        reviewDialogue(spec, ask, samples, d.turns),
        reviewDialogue(spec, ask, samples, d.injected.turns),
      ])
      return { id: d.id, expected: d.expected, clean, injected }
    }),
  )
  return { caseId: spec.id, lines, dialogues }
}
