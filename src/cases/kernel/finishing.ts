import { type Attempt, unanswered } from "../../core/attempt"
import { Cmd } from "../../core/commands"
import type { Session } from "../../core/session"
import type { Step } from "../../core/step"
import { type answeredTurn, askPersona, finish, withAttempt } from "./dialogue"
import type { CaseSpec } from "./spec"
import { kernelTexts as t } from "./texts"

/** The manual finish, with the learner's lines still waiting for an answer appended unanswered. */
const finishWith = (
  s: Session,
  spec: CaseSpec,
  a: Attempt,
  lines: ReadonlyArray<string>,
  lead: ReadonlyArray<Cmd>,
): Step => {
  const turns = [...a.turns, ...unanswered(lines)]
  return finish(s, spec, { ...a, turns, pending: null, queued: [], failed: null }, "manual", lead)
}

/**
 * «📊 Получить анализ» (or «finish» in the leaving question). With a line in flight the finish is only noted,
 * once: the review comes when every line sent is answered. Otherwise the dialogue ends now; a line whose call
 * failed and the lines queued behind it go into the review unanswered instead of being dropped.
 */
export const requestFinish = (s: Session, spec: CaseSpec, a: Attempt): Step => {
  if (a.pending !== null || a.hearing > 0)
    return [
      a.finishing ? s : withAttempt(s, { ...a, finishing: true }),
      [Cmd.reply(a.pending !== null ? t.finishAfterAnswer(spec) : t.finishAfterVoice)],
    ]
  const lines = [...(a.failed === null ? [] : [a.failed]), ...a.queued]
  if (a.turns.length + lines.length === 0) return [s, [Cmd.reply(t.tooShort(spec))]]
  return finishWith(s, spec, a, lines, [])
}

/**
 * The persona answered while the finish waits (`answered`: its turn, and how it is shown): the next queued line
 * goes out (within the turn limit; early completion does not cut the learner's lines short), else the finish.
 */
export const answeredWhileFinishing = (
  s: Session,
  spec: CaseSpec,
  { attempt, shown }: ReturnType<typeof answeredTurn>,
  now: number,
): Step => {
  const [queued, ...rest] = attempt.queued
  if (attempt.turns.length >= spec.maxTurns) return finishWith(s, spec, attempt, attempt.queued, shown)
  if (queued === undefined) return settledWhileFinishing(s, spec, attempt, shown)
  const [next, cmds] = askPersona(s, { ...attempt, queued: rest }, queued, now)
  return [next, [...shown, ...cmds]]
}

/** The answer failed (or the daily limit refused it) while the finish waits: no retry, the review comes anyway. */
export const failedWhileFinishing = (s: Session, spec: CaseSpec, a: Attempt, reason: string): Step => {
  const notice = reason === "daily_limit" ? t.finishOverLimit(spec) : t.finishUnanswered(spec)
  const lines = [...(a.pending === null ? [] : [a.pending.text]), ...a.queued]
  // A voice line still being heard comes first; the unanswered lines wait for it (kept as failed + queued).
  if (a.hearing > 0) {
    const [failed = null, ...queued] = lines
    return [withAttempt(s, { ...a, pending: null, failed, queued }), [Cmd.reply(notice)]]
  }
  return finishWith(s, spec, a, lines, [Cmd.reply(notice)])
}

/**
 * A voice line was heard (or could not be) while the finish waits: the finish comes once nothing is in flight any
 * more; a heard line is sent to the persona first, like any other line.
 */
export const settledWhileFinishing = (
  s: Session,
  spec: CaseSpec,
  a: Attempt,
  lead: ReadonlyArray<Cmd>,
): Step =>
  a.pending === null && a.hearing === 0
    ? finishWith(s, spec, a, [...(a.failed === null ? [] : [a.failed]), ...a.queued], lead)
    : [withAttempt(s, a), lead]
