import type { Attempt, VoiceRef } from "../../core/attempt"
import type { Cmd } from "../../core/commands"
import type { Envelope } from "../../core/model"
import type { Session } from "../../core/session"
import type { Step } from "../../core/step"
import { askPersona, withAttempt } from "./dialogue"

/**
 * Voice lines are transcribed in the background, so a line sent after one may be ready first. The lineup keeps
 * the order sent: from the first voice line not heard yet on, every line waits in it, and lines leave it from the
 * front only, once heard. A failed voice line leaves it too (kept for «🔁 Распознать ещё раз»).
 */

const attemptOf = (s: Session, fallback: Attempt): Attempt =>
  s.flow._tag === "Case" ? s.flow.attempt : fallback

/** A line for the persona now: sent, or queued behind the line still being answered (a failed one goes first). */
export const sendLine = (s: Session, ev: Envelope, a: Attempt, text: string): Step => {
  if (a.pending !== null) return [withAttempt(s, { ...a, queued: [...a.queued, text] }), []]
  // A line whose call failed, then the lines queued behind it, keep their place before this one.
  const kept = a.failed !== null && a.failed !== text ? [a.failed] : []
  const [first, ...rest] = [...kept, ...a.queued, text]
  return askPersona(s, { ...a, queued: rest }, first ?? text, ev.now)
}

/** Several lines in order: each sent or queued as `sendLine` does. */
const sendLines = (s: Session, ev: Envelope, a: Attempt, lines: ReadonlyArray<string>): Step => {
  let step: Step = [withAttempt(s, a), []]
  for (const line of lines) {
    const [next, cmds] = sendLine(step[0], ev, attemptOf(step[0], a), line)
    step = [next, [...step[1], ...cmds]]
  }
  return step
}

/** A typed line: behind a voice line still being heard it waits its turn; otherwise it goes at once. */
export const learnerLine = (s: Session, ev: Envelope, a: Attempt, text: string): Step =>
  a.lineup.length > 0
    ? [withAttempt(s, { ...a, lineup: [...a.lineup, { ticket: null, text }] }), []]
    : sendLine(s, ev, a, text)

/** Voice lines to transcribe (a new one, or those a failure kept): each with a ticket, at the end of the lineup. */
export const listen = (s: Session, a: Attempt, voices: ReadonlyArray<VoiceRef>): Step => {
  const first = s.nextRequestId
  const slots = voices.map((voice, i) => ({ ticket: first + i, text: null, voice }))
  const attempt = { ...a, hearing: a.hearing + voices.length, lineup: [...a.lineup, ...slots] }
  const transcribe = slots.map(
    (slot): Cmd => ({
      _tag: "Transcribe",
      caseId: a.caseId,
      attempt: a.number,
      ticket: slot.ticket,
      ...slot.voice,
    }),
  )
  return [
    { ...withAttempt(s, attempt), nextRequestId: first + voices.length },
    [{ _tag: "ChatAction" }, ...transcribe],
  ]
}

/**
 * A voice line's transcription settled (`text`: what was heard, "" for nothing or a failure; `keep`: a failure
 * worth retrying). Returns the attempt and the lines now free to go, in the order sent. A result without a ticket
 * (its command written by a version before lineups, perhaps another instance during a deploy) settles the oldest
 * voice line still waiting, or, with no lineup at all, goes at once as it did then; a ticket no longer in the
 * lineup was settled already, and a repeat changes nothing. Once no transcription is in flight, nothing can free
 * a waiting voice line any more: the lines behind it go.
 */
export const settleVoice = (
  a: Attempt,
  ticket: number | undefined,
  text: string,
  keep: boolean,
): { readonly attempt: Attempt; readonly lines: ReadonlyArray<string>; readonly kept: boolean } => {
  const at =
    ticket === undefined
      ? a.lineup.findIndex((slot) => slot.ticket !== null && slot.text === null)
      : a.lineup.findIndex((slot) => slot.ticket === ticket)
  if (at < 0 && ticket !== undefined) return { attempt: a, lines: [], kept: false }
  const heard = { ...a, hearing: Math.max(0, a.hearing - 1) }
  if (at < 0) return { attempt: heard, lines: text === "" ? [] : [text], kept: false }
  const slot = a.lineup[at]!
  const settled = text === "" ? a.lineup.filter((_, i) => i !== at) : a.lineup.with(at, { ...slot, text })
  const lineup = heard.hearing === 0 ? settled.filter((s) => s.text !== null) : settled
  const waiting = lineup.findIndex((s) => s.text === null)
  const free = waiting < 0 ? lineup.length : waiting
  const kept = keep && text === "" && slot.voice !== undefined
  return {
    attempt: {
      ...heard,
      lineup: lineup.slice(free),
      unheard: kept && slot.voice ? [...a.unheard, slot.voice] : a.unheard,
    },
    lines: lineup.slice(0, free).map((s) => s.text ?? ""),
    kept,
  }
}

/** A result for a voice line no longer in the lineup: settled already (a repeat), so nothing to show or do. */
export const settledAlready = (a: Attempt, ticket: number | undefined): boolean =>
  ticket !== undefined && !a.lineup.some((slot) => slot.ticket === ticket)

/** The settled voice line's freed lines, sent in order after `lead` (what was heard, or why not). */
export const releaseLines = (
  s: Session,
  ev: Envelope,
  settled: ReturnType<typeof settleVoice>,
  lead: ReadonlyArray<Cmd>,
): Step => {
  const [next, cmds] = sendLines(s, ev, settled.attempt, settled.lines)
  return [next, [...lead, ...cmds]]
}
