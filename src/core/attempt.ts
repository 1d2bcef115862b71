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
  level,
  hints: 0,
  closing: false,
})

/** Lines the persona never answered, as turns without a reply: the review and the saved attempt keep them. */
export const unanswered = (lines: ReadonlyArray<string>): Turn[] =>
  lines.map((learner) => ({ learner, persona: "", covered: [] }))
