import { Schema } from "effect"
import { added } from "./added"

const Turn = Schema.Struct({
  learner: Schema.String,
  persona: Schema.String,
  /** Component keys this learner line covered, as judged on that turn. */
  covered: Schema.Array(Schema.String),
  /** The verified quote per covered step (absent in turns stored before the judge was its own call). */
  quotes: Schema.optionalKey(Schema.Record(Schema.String, Schema.String)),
  /** Steps the judge claimed with a quote that is not in the line (not counted). */
  unverified: Schema.optionalKey(Schema.Array(Schema.String)),
})
export type Turn = typeof Turn.Type

/** How hard the persona is to talk to: how quickly they concede and how they push back (data in each case). */
export const LEVELS = ["soft", "normal", "hard"] as const
export type Level = (typeof LEVELS)[number]

const Pending = Schema.Struct({ requestId: Schema.Number, text: Schema.String, since: Schema.Number })

/** A voice line's Telegram file: what a transcription (or its retry) downloads. */
const VoiceRef = Schema.Struct({ fileId: Schema.String, fileUniqueId: Schema.String, mime: Schema.String })
export type VoiceRef = typeof VoiceRef.Type

/**
 * A line in the order the learner sent it, while a voice line before it is still being transcribed: a voice
 * (`ticket` of its transcription; `text` once heard) or a typed line (`ticket` null).
 */
const Slot = Schema.Struct({
  ticket: Schema.NullOr(Schema.Number),
  text: Schema.NullOr(Schema.String),
  voice: Schema.optionalKey(VoiceRef),
})
export type Slot = typeof Slot.Type

/** What the learner asked for when a start would have dropped this dialogue: the home screen or a case. */
const Destination = Schema.Union([
  Schema.TaggedStruct("Home", {}),
  Schema.TaggedStruct("StartCase", {
    caseId: Schema.String,
    level: added(Schema.Literals(LEVELS), "normal"),
  }),
])
export type Destination = typeof Destination.Type

/** The open «continue / finish / abandon» question; `id` is in its buttons, so an older question's are stale. */
const Leaving = Schema.Struct({ id: Schema.Number, to: Destination })

/**
 * One run of a case, from «Начать» to the review. Lives in the chat session, so a restart of the bot, a second
 * instance or a crash mid-turn picks it up where it was. Pure data; the kernel reducer is its only writer.
 */
export const Attempt = Schema.Struct({
  caseId: Schema.String,
  number: Schema.Number,
  startedAt: Schema.Number,
  phase: Schema.Literals(["Dialogue", "Reviewing", "Reviewed"]),
  turns: Schema.Array(Turn),
  covered: Schema.Array(Schema.String),
  /** The persona request in flight; a reply with another request id is stale and ignored. */
  pending: Schema.NullOr(Pending),
  /** Lines the learner sent while the persona was still answering: taken in order, one turn each. */
  queued: Schema.Array(Schema.String),
  /** A line whose AI call failed: kept, so «🔁 Повторить» re-sends it without counting it twice. */
  failed: Schema.NullOr(Schema.String),
  reviewRequestId: Schema.NullOr(Schema.Number),
  outcome: Schema.NullOr(Schema.Literals(["completed", "out_of_moves", "manual"])),
  /** "provider:model" of the latest persona answer. */
  dialogueModel: Schema.NullOr(Schema.String),
  /** The learner asked for the review while a line was in flight: it comes once every line sent is answered. */
  finishing: added(Schema.Boolean, false),
  leaving: added(Schema.NullOr(Leaving), null),
  /** Voice lines still being transcribed: a finish waits for them too, so none is left out of the review. */
  hearing: added(Schema.Number, 0),
  /** From the first voice line not heard yet on: every line in the order sent (a later one waits for it). */
  lineup: added(Schema.Array(Slot), []),
  /** Voice lines whose transcription failed: kept for «🔁 Распознать ещё раз». */
  unheard: added(Schema.Array(VoiceRef), []),
  level: added(Schema.Literals(LEVELS), "normal"),
  /** «💡 Подсказка» presses in this attempt (the review says how many). */
  hints: added(Schema.Number, 0),
  /** Every step was heard: the learner closes the conversation with one more line, then the review comes. */
  closing: added(Schema.Boolean, false),
})
export type Attempt = typeof Attempt.Type
export type Outcome = NonNullable<Attempt["outcome"]>

export const newAttempt = (
  caseId: string,
  number: number,
  now: number,
  level: Level = "normal",
): Attempt => ({
  caseId,
  number,
  startedAt: now,
  phase: "Dialogue",
  turns: [],
  covered: [],
  pending: null,
  queued: [],
  failed: null,
  reviewRequestId: null,
  outcome: null,
  dialogueModel: null,
  finishing: false,
  leaving: null,
  hearing: 0,
  lineup: [],
  unheard: [],
  level,
  hints: 0,
  closing: false,
})

/** Lines the persona never answered, as turns without a reply: the review and the saved attempt keep them. */
export const unanswered = (lines: ReadonlyArray<string>): Turn[] =>
  lines.map((learner) => ({ learner, persona: "", covered: [] }))
