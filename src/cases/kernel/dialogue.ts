import type { Review, ReviewVerdict } from "../../core/ai-reply"
import { type Attempt, type Level, newAttempt, type Outcome, unanswered } from "../../core/attempt"
import { Cmd } from "../../core/commands"
import type { Session } from "../../core/session"
import type { Step } from "../../core/step"
import { dialogueKeyboard, removeReplyKeyboard, retryKeyboard } from "./keyboards"
import { type CaseSpec, MIN_TURNS_FOR_EARLY_FINISH } from "./spec"
import { checklist, personaLine, renderReview, kernelTexts as t, withSupport } from "./texts"

export const withAttempt = (s: Session, attempt: Attempt): Session => ({
  ...s,
  flow: { _tag: "Case", attempt },
})

/** A fresh attempt of the case: counted as started, the algorithm and the dialogue keyboard shown. */
export const startAttempt = (s: Session, spec: CaseSpec, now: number, level: Level = "normal"): Step => {
  const run = (s.attempts[spec.id] ?? 0) + 1
  const next = {
    ...withAttempt(s, newAttempt(spec.id, run, now, level)),
    attempts: { ...s.attempts, [spec.id]: run },
  }
  const levelNote = level === "normal" ? [] : [Cmd.reply(t.levelChosen(spec, level))]
  return [
    next,
    [
      { _tag: "RecordStat", caseId: spec.id, stat: "started" },
      ...levelNote,
      Cmd.reply(spec.texts.algorithm, dialogueKeyboard()),
    ],
  ]
}

/** «💡 Подсказка»: the first step of the algorithm not shown yet, with what it means (never a ready phrase). */
export const giveHint = (s: Session, spec: CaseSpec, a: Attempt): Step => {
  const next = spec.methodology.components.find((c) => !a.covered.includes(c.key))
  if (!next) return [s, [Cmd.reply(t.hintAllShown)]]
  return [
    withAttempt(s, { ...a, hints: a.hints + 1 }),
    [Cmd.reply(t.hint(next, spec.texts.hints?.[next.key]))],
  ]
}

/** Sends one learner line to the persona, under a fresh request id. */
export const askPersona = (s: Session, a: Attempt, text: string, now: number): Step => {
  const requestId = s.nextRequestId
  const attempt = { ...a, pending: { requestId, text, since: now }, failed: null }
  return [
    { ...withAttempt(s, attempt), nextRequestId: requestId + 1 },
    [
      { _tag: "ChatAction" },
      {
        _tag: "AskPersona",
        requestId,
        caseId: a.caseId,
        turns: a.turns,
        text,
        ...(a.level === "normal" ? {} : { level: a.level }),
      },
    ],
  ]
}

/** Asks for the review (again, after a failure: stats were counted when the dialogue ended, not here). */
export const askReview = (s: Session, a: Attempt, outcome: Outcome): Step => {
  const requestId = s.nextRequestId
  const attempt: Attempt = {
    ...a,
    phase: "Reviewing",
    pending: null,
    queued: [],
    reviewRequestId: requestId,
    outcome,
  }
  return [
    { ...withAttempt(s, attempt), nextRequestId: requestId + 1 },
    [
      { _tag: "ChatAction" },
      { _tag: "AskReview", requestId, caseId: a.caseId, turns: a.turns, covered: a.covered },
    ],
  ]
}

const statsFor = (caseId: string, outcome: Outcome): Cmd[] => {
  const stat = (name: "completed" | "out_of_moves" | "auto_finished"): Cmd => ({
    _tag: "RecordStat",
    caseId,
    stat: name,
  })
  if (outcome === "manual") return [stat("completed")]
  return outcome === "completed"
    ? [stat("completed"), stat("auto_finished")]
    : [stat("out_of_moves"), stat("auto_finished")]
}

/** Ends the dialogue (stats counted exactly once, here) and asks for the review. */
export const finish = (
  s: Session,
  spec: CaseSpec,
  a: Attempt,
  outcome: Outcome,
  lead: ReadonlyArray<Cmd>,
): Step => {
  const announce =
    outcome === "completed" ? t.allCovered : outcome === "out_of_moves" ? t.outOfTurns(spec) : t.manualFinish
  // Every step was heard and the learner only skipped the goodbye: the attempt is a completed one all the same.
  const [next, cmds] = askReview(s, a, outcome === "manual" && a.closing ? "completed" : outcome)
  return [next, [...lead, Cmd.reply(announce), ...statsFor(spec.id, outcome), ...cmds]]
}

/** The persona's line and the judge's verified findings for the learner's line (a PersonaReplied event). */
export interface PersonaAnswer {
  readonly reply: string
  readonly covered: ReadonlyArray<string>
  readonly model: string
  readonly quotes?: Readonly<Record<string, string>>
  readonly unverified?: ReadonlyArray<string>
}

/** The persona's answer to the pending line as a turn, and how it is shown (the line, the checklist, the voice). */
export const answeredTurn = (
  spec: CaseSpec,
  a: Attempt,
  answer: PersonaAnswer,
  isAdmin: boolean,
  voiceReplies: boolean,
): { readonly attempt: Attempt; readonly shown: ReadonlyArray<Cmd> } => {
  const { reply, covered } = answer
  const turn = {
    learner: a.pending?.text ?? "",
    persona: reply,
    covered: [...covered],
    ...(answer.quotes ? { quotes: answer.quotes } : {}),
    ...(answer.unverified?.length ? { unverified: answer.unverified } : {}),
  }
  const all = [...new Set([...a.covered, ...covered])]
  const turns = [...a.turns, turn]
  const attempt: Attempt = { ...a, turns, covered: all, pending: null, dialogueModel: answer.model }
  const note =
    spec.liveChecklist || isAdmin ? `\n\n${checklist(spec, all, turns.length, isAdmin ? covered : null)}` : ""
  const spoken: Cmd[] = voiceReplies ? [{ _tag: "Speak", caseId: spec.id, text: reply }] : []
  return { attempt, shown: [Cmd.reply(personaLine(spec, reply) + note), ...spoken] }
}

/** The persona answered the pending line: record the turn, then go on, finish, or take the next queued line. */
export const recordTurn = (
  s: Session,
  spec: CaseSpec,
  a: Attempt,
  answer: PersonaAnswer,
  isAdmin: boolean,
  now: number,
  voiceReplies = false,
): Step => {
  const { attempt, shown } = answeredTurn(spec, a, answer, isAdmin, voiceReplies)
  const n = attempt.turns.length
  const everything = spec.methodology.components.every((c) => attempt.covered.includes(c.key))
  // Lines the learner already sent go into the review unanswered rather than being dropped by the finish.
  const ending: Attempt = { ...attempt, turns: [...attempt.turns, ...unanswered(attempt.queued)], queued: [] }
  const heard = everything && n >= MIN_TURNS_FOR_EARLY_FINISH
  // The closing line was answered (or there is no room left for one): the conversation is over.
  if (heard && (attempt.closing || n >= spec.maxTurns)) return finish(s, spec, ending, "completed", shown)
  if (n >= spec.maxTurns) return finish(s, spec, ending, "out_of_moves", shown)
  // Every step heard: the algorithm's last step is to close the conversation, so the learner gets one more line.
  const going: Attempt = heard ? { ...attempt, closing: true } : attempt
  const told = heard ? [...shown, Cmd.reply(t.closeNow)] : shown
  const [queued, ...rest] = going.queued
  if (queued === undefined) return [withAttempt(s, going), told]
  const [next, cmds] = askPersona(s, { ...going, queued: rest }, queued, now)
  return [next, [...told, ...cmds]]
}

export const personaFailed = (s: Session, spec: CaseSpec, a: Attempt, support?: string): Step => [
  withAttempt(s, { ...a, failed: a.pending?.text ?? null, pending: null }),
  [Cmd.reply(withSupport(t.personaUnavailable(spec), support), retryKeyboard(spec.id))],
]

/**
 * The reviewer sees the whole dialogue and may overrule the per-turn judge (its rules demand a quote for that),
 * so its verdict is final; a component it did not mention keeps the per-turn result.
 */
export const finalVerdict = (spec: CaseSpec, review: Review, detected: ReadonlyArray<string>): string[] =>
  spec.methodology.components
    .filter((c) => review.components.find((r) => r.key === c.key)?.covered ?? detected.includes(c.key))
    .map((c) => c.key)

/** The review arrived: show it, close the dialogue keyboard, save the attempt, offer a retry and the survey. */
export const showReview = (
  s: Session,
  spec: CaseSpec,
  a: Attempt,
  review: Review,
  reviewModel: string,
  now: number,
  verdict: ReviewVerdict | null = null,
): Step => {
  // Code decided the steps from every sample (verdict.ts); an event stored by an older version has no verdict.
  const covered = verdict ? [...verdict.covered] : finalVerdict(spec, review, a.covered)
  const disputed = verdict?.disputed ?? []
  // Only reviewed attempts are numbered: «Попытка №3» here, in the history and in the results mean the same.
  const number = (s.reviewed[spec.id] ?? 0) + 1
  const attempt: Attempt = { ...a, number, covered, phase: "Reviewed", reviewRequestId: null }
  return [
    { ...withAttempt(s, attempt), reviews: s.reviews + 1, reviewed: { ...s.reviewed, [spec.id]: number } },
    [
      Cmd.reply(renderReview(spec, review, covered, attempt, disputed), removeReplyKeyboard),
      { _tag: "SaveAttempt", attempt, review, reviewModel, endedAt: now, verdict },
      // Answered by ProgressLoaded: the trend line, the «try again» prompt, then the survey invite.
      { _tag: "LoadProgress", caseId: spec.id },
    ],
  ]
}
