import type { Attempt } from "../../core/attempt"
import { Cmd } from "../../core/commands"
import type { Envelope, RejectReason } from "../../core/model"
import type { Session } from "../../core/session"
import type { Step } from "../../core/step"
import { sharedTexts } from "../../core/texts"
import { answeredTurn, personaFailed, recordTurn, showReview, withAttempt } from "./dialogue"
import { answeredWhileFinishing, failedWhileFinishing, settledWhileFinishing } from "./finishing"
import { releaseLines, settleVoice } from "./hearing"
import { rehearKeyboard, retryKeyboard, retryReviewKeyboard } from "./keyboards"
import type { CaseSpec } from "./spec"
import { kernelTexts as t, withSupport } from "./texts"

/** The results of the role-play's commands (persona answers, reviews, transcripts, failures), by request id. */

const VOICE_LIMITS: ReadonlyArray<string> = ["voice_too_big", "voice_too_long", "voice_too_short"]

/**
 * Why a voice line was not heard: a limit its real bytes broke (nothing to retry), or the daily cap or the
 * transcription itself, when the line is kept for «🔁 Распознать ещё раз» (`kept`; not once the dialogue ends).
 */
const transcriptionFailure = (spec: CaseSpec, reason: string, limit: number, kept: boolean): Cmd =>
  VOICE_LIMITS.includes(reason)
    ? Cmd.reply(sharedTexts.rejected(reason as RejectReason, limit))
    : !kept
      ? Cmd.reply(reason === "daily_limit" ? t.dailyLimit : t.voiceFailed)
      : Cmd.reply(reason === "daily_limit" ? t.dailyLimitVoice : t.voiceFailedKept, rehearKeyboard(spec.id))

export const onFeedback = (s: Session, ev: Envelope, spec: CaseSpec, a: Attempt): Step | null => {
  if (ev.input._tag !== "Feedback") return null
  const event = ev.input.event
  const isAdmin = ev.actor.role === "admin"
  switch (event._tag) {
    case "Transcribed":
    case "TranscriptionFailed": {
      if (event.caseId !== a.caseId || event.attempt !== a.number || a.phase !== "Dialogue") return [s, []]
      const text = event._tag === "Transcribed" ? event.text.trim() : ""
      const keep =
        event._tag === "TranscriptionFailed" && !a.finishing && !VOICE_LIMITS.includes(event.reason)
      const settled = settleVoice(a, event.ticket, text, keep)
      if (settled === null) return [s, []]
      const lead =
        text !== ""
          ? Cmd.reply(t.heard(text))
          : event._tag === "Transcribed"
            ? Cmd.reply(t.notHeard)
            : transcriptionFailure(spec, event.reason, event.limit ?? 0, settled.kept)
      return settled.lines.length === 0 && a.finishing
        ? settledWhileFinishing(s, spec, settled.attempt, [lead])
        : releaseLines(s, ev, settled, [lead])
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
        // Nothing to retry today, but nothing is lost: the line is kept for «🔁 Повторить» tomorrow (or the review).
        return [
          withAttempt(s, { ...a, pending: null, failed: a.pending.text }),
          [Cmd.reply(t.dailyLimitKept, retryKeyboard(spec.id))],
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
