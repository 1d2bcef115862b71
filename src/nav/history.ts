import { renderReview } from "../cases/kernel/texts"
import { findCase } from "../cases/registry"
import { button, callbackData } from "../core/callback-data"
import { Cmd, inline, type Keyboard } from "../core/commands"
import { formatInZone, zoneLabel } from "../core/dates"
import { escapeHtml as e } from "../core/html"
import type { StoredAttempt, StoredTranscript } from "../core/views"
import { splitHtml } from "../lib/split-html"
import { historyTexts as t } from "./history-texts"
import { trendOf, weakestStep } from "./progress"

const backToResults = (page = 0) => button(t.buttons.back, callbackData.history(page))

/** One attempt from the history: when, then its stored review as it was shown; the dialogue while it is kept. Pure. */
export const renderAttempt = (
  a: StoredAttempt | null,
  timeZone: string,
  page = 0,
): { readonly html: string; readonly keyboard: Keyboard } => {
  const spec = a && findCase(a.caseId)
  if (!a || !spec) return { html: t.attemptGone, keyboard: inline([backToResults(page)]) }
  const review = a.review ?? { overall: "", components: [], strengths: [], growth: [] }
  const expired = !a.hasTranscript && review.overall === ""
  const html = [
    t.attemptHeader(formatInZone(a.endedAt, timeZone), zoneLabel(timeZone)),
    renderReview(spec, review, a.covered, a, a.disputed),
    ...(expired ? [t.textsExpired] : []),
  ].join("\n\n")
  return {
    html,
    keyboard: inline(
      ...(a.hasTranscript ? [[button(t.buttons.transcript, callbackData.attempt(a.id, true))]] : []),
      // Again at the difficulty it was played at.
      [button(t.buttons.again, callbackData.caseAction(a.caseId, a.level === "normal" ? "start" : a.level))],
      [backToResults(page)],
    ),
  }
}

/** The attempt's dialogue as messages (split at Telegram's limit); a note when it is no longer kept. Pure. */
export const renderTranscript = (transcript: StoredTranscript | null): ReadonlyArray<Cmd> => {
  const spec = transcript && findCase(transcript.caseId)
  // Not this learner's attempt (or no longer there) is not the same as a dialogue retention has taken.
  if (!transcript || !spec) return [Cmd.reply(t.attemptGone, inline([backToResults()]))]
  if (transcript.turns.length === 0) return [Cmd.reply(t.transcriptGone)]
  const lines = transcript.turns.flatMap((turn) => [
    `🧑‍💼 <b>${t.you}:</b> ${e(turn.learner)}`,
    `${spec.persona.emoji} <b>${e(spec.persona.name)}:</b> ${turn.persona === "" ? t.noAnswer : e(turn.persona)}`,
  ])
  const html = [t.transcriptTitle(spec.texts.title, transcript.number), ...lines].join("\n\n")
  return splitHtml(html).map((part) => Cmd.reply(part))
}

/** The one line after a review: how the newest attempt moved a step over the last few attempts. Pure. */
export const trendLine = (caseId: string, history: ReadonlyArray<ReadonlyArray<string>>): string | null => {
  const spec = findCase(caseId)
  if (!spec || history.length === 0) return null
  const trend = trendOf(spec, history)
  if (!trend) {
    const weakest = weakestStep(spec, history)
    const allShown = spec.methodology.components.every((c) => history[0]!.includes(c.key))
    return allShown || !weakest ? t.allShown : t.firstAttempt(weakest.label)
  }
  return t.trend(
    trend.component.label,
    t.trendWindow(trend.before.shown, trend.before.of, true),
    t.trendWindow(trend.now.shown, trend.now.of, false),
  )
}
