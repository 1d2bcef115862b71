import { Schema } from "effect"
import { added } from "./added"
import { Attempt } from "./attempt"
import { AUDIENCES } from "./audience"

const Flow = Schema.Union([
  Schema.TaggedStruct("Idle", {}),
  Schema.TaggedStruct("AwaitingPassword", { purpose: Schema.Literals(["login", "relogin"]) }),
  Schema.TaggedStruct("Case", { attempt: Attempt }),
  Schema.TaggedStruct("SurveyComment", {}),
  /** An admin composing a broadcast: text → audience → when → confirm. */
  Schema.TaggedStruct("BroadcastDraft", {
    step: Schema.Literals(["text", "audience", "when", "confirm"]),
    html: Schema.String,
    audience: Schema.NullOr(Schema.Literals(AUDIENCES)),
    /** Recipients per audience when the text was received (shown on the buttons and in the summary). */
    counts: Schema.Record(Schema.String, Schema.Number),
    /** Epoch ms; null = now. */
    sendAt: Schema.NullOr(Schema.Number),
  }),
])

const Window = Schema.Struct({ start: Schema.Number, count: Schema.Number, warned: Schema.Boolean })

/**
 * The rate-limit windows of a user (stored in user_limits.rate); `guest`, those counted while the sender had no role
 * (core/rate-limit.ts).
 */
export const RateWindows = Schema.Struct({
  minute: Window,
  hour: Window,
  guest: Schema.optionalKey(Schema.Struct({ minute: Window, hour: Window })),
})

const emptyWindow = { start: 0, count: 0, warned: false }

/**
 * A chat's state as the reducers see it. Decoded from JSONB on every load, never trusted as is (only a state this
 * process's own reducer made is taken as it is: pipeline/own-states.ts). `auth` (the sign-in
 * lockout) and `rate` are the sender's counters: the pipeline reads them from user_limits, by user id, and saves
 * them back there, never in the chat's row, so /forget_me (which deletes that row) cannot reset them.
 */
export const Session = Schema.Struct({
  flow: Flow,
  auth: added(Schema.Struct({ failures: Schema.Number, lockedUntil: Schema.NullOr(Schema.Number) }), {
    failures: 0,
    lockedUntil: null,
  }),
  rate: added(RateWindows, { minute: emptyWindow, hour: emptyWindow }),
  /** Monotonic per chat: every AI request carries one, so late answers to an abandoned request are recognised. */
  nextRequestId: added(Schema.Number, 1),
  /** Attempts started per case id: tells one run of a case from the next (late transcripts of an old run). */
  attempts: added(Schema.Record(Schema.String, Schema.Number), {}),
  /** Reviewed attempts per case id: the attempt number shown in the review and in the history («№3»). */
  reviewed: added(Schema.Record(Schema.String, Schema.Number), {}),
  /** Reviews received: the survey opens after the first one. */
  reviews: added(Schema.Number, 0),
  /** Each opening of the survey is a run; its buttons carry it, so an older run's buttons cannot overwrite. */
  surveyRun: added(Schema.Number, 0),
  /** /forget_me asked and not yet answered: only then does «Да, удалить» delete (a forged or old press does not). */
  forgetAsked: added(Schema.Boolean, false),
})
export type Session = typeof Session.Type
export type Flow = typeof Flow.Type

export const initialSession: Session = {
  flow: { _tag: "Idle" },
  auth: { failures: 0, lockedUntil: null },
  rate: { minute: emptyWindow, hour: emptyWindow },
  nextRequestId: 1,
  attempts: {},
  reviewed: {},
  reviews: 0,
  surveyRun: 0,
  forgetAsked: false,
}

export const idle: Flow = { _tag: "Idle" }

/** The sender's counters within a session: kept per user in user_limits, not in the chat's row. */
export type SenderCounters = Pick<Session, "auth" | "rate">

/** What is stored in the chat's row: the session without the sender's counters. */
export const chatPart = ({ auth: _auth, rate: _rate, ...chat }: Session) => chat
