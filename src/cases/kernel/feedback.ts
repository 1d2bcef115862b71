import type { Attempt } from "../../core/attempt"
import { Cmd } from "../../core/commands"
import type { Envelope, RejectReason } from "../../core/model"
import type { Session } from "../../core/session"
import type { Step } from "../../core/step"
import { sharedTexts } from "../../core/texts"
import { answeredTurn, askPersona, personaFailed, recordTurn, showReview, withAttempt } from "./dialogue"
import { answeredWhileFinishing, failedWhileFinishing, settledWhileFinishing } from "./finishing"
import { retryReviewKeyboard } from "./keyboards"
import type { CaseSpec } from "./spec"
import { kernelTexts as t, withSupport } from "./texts"

/** The results of the role-play's commands (persona answers, reviews, transcripts, failures), by request id. */

/** A line for the persona (typed or transcribed): sent now, or queued behind the line still being answered. */
export const learnerLine = (s: Session, ev: Envelope, a: Attempt, text: string): Step => {
  if (a.pending !== null)
    return [{ ...s, flow: { _tag: "Case", attempt: { ...a, queued: [...a.queued, text] } } }, []]
  // Lines still waiting from before a failure go first: the learner's words keep their order.
  const [first, ...rest] = [...a.queued, text]
  return askPersona(s, { ...a, queued: rest }, first ?? text, ev.now)
}

const VOICE_LIMITS: ReadonlyArray<string> = ["voice_too_big", "voice_too_long", "voice_too_short"]

/** Why a voice line was not heard: a limit its real bytes broke, the daily cap, or the transcription itself. */
const transcriptionFailure = (reason: string, limit = 0) =>
  VOICE_LIMITS.includes(reason)
    ? sharedTexts.rejected(reason as RejectReason, limit)
    : reason === "daily_limit"
      ? t.dailyLimit
      : t.voiceFailed

export const onFeedback = (s: Session, ev: Envelope, spec: CaseSpec, a: Attempt): Step | null => {
  if (ev.input._tag !== "Feedback") return null
  const event = ev.input.event
  const isAdmin = ev.actor.role === "admin"
  switch (event._tag) {
    case "Transcribed":
    case "TranscriptionFailed": {
      if (event.caseId !== a.caseId || event.attempt !== a.number || a.phase !== "Dialogue") return [s, []]
      const heard = { ...a, hearing: Math.max(0, a.hearing - 1) }
      const text = event._tag === "Transcribed" ? event.text.trim() : ""
      if (text !== "") {
        const [next, cmds] = learnerLine(s, ev, heard, text)
        return [next, [Cmd.reply(t.heard(text)), ...cmds]]
      }
      const notice = Cmd.reply(
        event._tag === "Transcribed" ? t.notHeard : transcriptionFailure(event.reason, event.limit),
      )
      return heard.finishing
        ? settledWhileFinishing(s, spec, heard, [notice])
        : [withAttempt(s, heard), [notice]]
    }
    case "PersonaReplied":
      if (a.pending?.requestId !== event.requestId) return [s, []]
      return a.finishing
        ? answeredWhileFinishing(
            s,
            spec,
            answeredTurn(spec, a, event, isAdmin, ev.voiceReplies ?? false),
            ev.now,
          )
        : recordTurn(s, spec, a, event, isAdmin, ev.now, ev.voiceReplies)
    case "AiQueued":
      return [s, a.pending?.requestId === event.requestId ? [Cmd.reply(t.queued)] : []]
    case "ReviewReady":
      return a.reviewRequestId === event.requestId
        ? showReview(s, spec, a, event.review, event.model, ev.now, event.verdict ?? null)
        : [s, []]
    case "AiFailed":
      if (a.pending?.requestId === event.requestId && a.finishing)
        return failedWhileFinishing(s, spec, a, event.reason)
      if (a.pending?.requestId === event.requestId && event.reason === "daily_limit")
        // Nothing to retry today: the line is dropped with the explanation, the dialogue stays open for tomorrow.
        return [
          { ...s, flow: { _tag: "Case", attempt: { ...a, pending: null, queued: [], failed: null } } },
          [Cmd.reply(t.dailyLimit)],
        ]
      if (a.pending?.requestId === event.requestId) return personaFailed(s, spec, a, ev.supportContact)
      if (a.reviewRequestId !== event.requestId) return [s, []]
      // Over the daily AI budget the review waits for tomorrow: the same button asks again then.
      return [
        { ...s, flow: { _tag: "Case", attempt: { ...a, reviewRequestId: null } } },
        [
          Cmd.reply(
            event.reason === "daily_limit"
              ? t.dailyLimit
              : withSupport(t.reviewUnavailable, ev.supportContact),
            retryReviewKeyboard(spec.id),
          ),
        ],
      ]
    default:
      return null
  }
}
