import { afterReviewKeyboard } from "../cases/kernel/keyboards"
import { kernelTexts } from "../cases/kernel/texts"
import { Cmd } from "../core/commands"
import { DEFAULT_TIME_ZONE } from "../core/dates"
import type { Envelope } from "../core/model"
import type { Session } from "../core/session"
import type { Step } from "../core/step"
import { renderAttempt, renderTranscript, trendLine } from "./history"
import { renderResults } from "./results"

/**
 * «📈 Мои результаты»: its pages, an attempt opened from it, the attempt's dialogue, and the trend line after a
 * review. Pure; null for anything else.
 */
export const historyReducer = (s: Session, ev: Envelope): Step | null => {
  const { input } = ev
  const zone = ev.timeZone ?? DEFAULT_TIME_ZONE
  if (input._tag === "Callback") {
    const { data, queryId, messageId } = input
    if (data._tag === "Nav" && data.target === "results")
      return [s, [Cmd.answer(queryId), { _tag: "LoadResults", messageId, page: 0 }]]
    if (data._tag === "History")
      return [s, [Cmd.answer(queryId), { _tag: "LoadResults", messageId, page: data.page }]]
    if (data._tag === "AttemptOpen")
      return data.transcript
        ? [s, [Cmd.answer(queryId), { _tag: "LoadTranscript", attemptId: data.id }]]
        : [s, [Cmd.answer(queryId), { _tag: "OpenAttempt", attemptId: data.id, messageId, page: data.page }]]
    return null
  }
  if (input._tag !== "Feedback") return null
  const event = input.event
  switch (event._tag) {
    case "ResultsLoaded": {
      const page = renderResults(event.attempts, event.page, zone)
      return [s, [Cmd.show(event.messageId, page.html, page.keyboard)]]
    }
    case "AttemptLoaded": {
      const attempt = renderAttempt(event.attempt, zone, event.page ?? 0)
      return [s, [Cmd.show(event.messageId, attempt.html, attempt.keyboard)]]
    }
    case "TranscriptLoaded":
      return [s, renderTranscript(event.transcript)]
    case "ProgressLoaded": {
      // The review is out and saved: the trend, the offer to try again, then (once) the survey invite.
      const trend = trendLine(event.caseId, event.history)
      const prompt = trend ? `${trend}\n\n${kernelTexts.afterReview}` : kernelTexts.afterReview
      return [s, [Cmd.reply(prompt, afterReviewKeyboard(event.caseId)), { _tag: "InviteToSurvey" }]]
    }
    default:
      return null
  }
}
