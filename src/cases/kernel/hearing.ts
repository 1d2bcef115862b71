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

/**
 * Lines for the persona now, in the order sent: with none in flight the first goes (after a line whose call failed,
 * unless retyped, and the lines queued before these), the rest queue behind it; otherwise all queue.
 */
const sendLines = (s: Session, ev: Envelope, a: Attempt, lines: ReadonlyArray<string>): Step => {
  if (lines.length === 0) return [withAttempt(s, a), []]
  if (a.pending !== null) return [withAttempt(s, { ...a, queued: [...a.queued, ...lines] }), []]
  const kept = a.failed !== null && !lines.includes(a.failed) ? [a.failed] : []
  const [first, ...rest] = [...kept, ...a.queued, ...lines]
  return askPersona(s, { ...a, queued: rest }, first ?? "", ev.now)
}

/** A typed line: behind a voice line still being heard it waits its turn; otherwise it goes at once. */
export const learnerLine = (s: Session, ev: Envelope, a: Attempt, text: string): Step =>
  a.lineup.length > 0
    ? [withAttempt(s, { ...a, lineup: [...a.lineup, { ticket: null, text }] }), []]
    : sendLines(s, ev, a, [text])

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
 * voice line still waiting, or, with no lineup at all, goes at once as it did then. Null for a ticket no longer in
 * the lineup: settled already, so a repeat shows and changes nothing. Once no transcription is in flight, nothing
 * can free a waiting voice line any more: the lines behind it go.
 */
export const settleVoice = (
  a: Attempt,
  ticket: number | undefined,
  text: string,
  keep: boolean,
): { readonly attempt: Attempt; readonly lines: ReadonlyArray<string>; readonly kept: boolean } | null => {
  const at =
    ticket === undefined
      ? a.lineup.findIndex((slot) => slot.ticket !== null && slot.text === null)
      : a.lineup.findIndex((slot) => slot.ticket === ticket)
  if (at < 0 && ticket !== undefined) return null
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

/** The settled voice line's freed lines, sent in order after `lead` (what was heard, or why not). */
export const releaseLines = (
  s: Session,
  ev: Envelope,
  settled: NonNullable<ReturnType<typeof settleVoice>>,
  lead: ReadonlyArray<Cmd>,
): Step => {
  const [next, cmds] = sendLines(s, ev, settled.attempt, settled.lines)
  return [next, [...lead, ...cmds]]
}
