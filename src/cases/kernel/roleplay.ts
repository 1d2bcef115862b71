import { Cmd } from "../../app/commands"
import { mainMenu } from "../../app/keyboards"
import type { AppEvent, CaseAction } from "../../app/model"
import { idle, type Session } from "../../app/session"
import { texts as appTexts } from "../../app/texts"
import type { Attempt } from "./attempt"
import {
  askPersona,
  askReview,
  finish,
  personaFailed,
  recordTurn,
  type Step,
  showReview,
  startAttempt,
} from "./dialogue"
import { afterReviewKeyboard, caseCardKeyboard, removeReplyKeyboard, retryReviewKeyboard } from "./keyboards"
import type { CaseSpec } from "./spec"
import { kernelTexts as t } from "./texts"

const leave = (s: Session, ev: AppEvent): Step => [
  { ...s, flow: idle },
  [Cmd.reply(t.left, removeReplyKeyboard), Cmd.reply(appTexts.welcome(ev.actor.firstName), mainMenu())],
]

const onButton = (s: Session, ev: AppEvent, spec: CaseSpec, action: CaseAction, queryId: string): Step => {
  const attempt = s.flow._tag === "Case" && s.flow.attempt.caseId === spec.id ? s.flow.attempt : null
  const answered = ([next, cmds]: Step, text?: string): Step => [next, [Cmd.answer(queryId, text), ...cmds]]
  switch (action) {
    case "start": {
      const running = attempt?.phase === "Dialogue" && (attempt.turns.length > 0 || attempt.pending !== null)
      return running ? [s, [Cmd.answer(queryId, t.alreadyRunning)]] : answered(startAttempt(s, spec, ev.now))
    }
    case "restart":
      return answered(startAttempt(s, spec, ev.now))
    case "theory":
      return [s, [Cmd.answer(queryId, t.guideSent), { _tag: "SendGuide", caseId: spec.id }]]
    case "retry":
      if (attempt?.phase !== "Dialogue" || attempt.failed === null) break
      return answered(askPersona(s, attempt, attempt.failed, ev.now))
    case "review":
      if (attempt?.phase !== "Reviewing" || attempt.reviewRequestId !== null || attempt.outcome === null)
        break
      return answered(askReview(s, attempt, attempt.outcome))
  }
  return [s, [Cmd.answer(queryId, appTexts.staleButton, true)]]
}

const onText = (s: Session, ev: AppEvent, spec: CaseSpec, a: Attempt, text: string): Step => {
  if (text === t.buttons.restart) return startAttempt(s, spec, ev.now)
  if (text === t.buttons.menu) return leave(s, ev)
  if (a.phase === "Reviewed") return [s, [Cmd.reply(t.afterReview, afterReviewKeyboard(spec.id))]]
  if (a.phase === "Reviewing")
    return a.reviewRequestId === null
      ? [s, [Cmd.reply(t.reviewUnavailable, retryReviewKeyboard(spec.id))]]
      : [s, [Cmd.reply(t.manualFinish)]]
  if (text === t.buttons.analysis)
    return a.turns.length === 0 ? [s, [Cmd.reply(t.tooShort(spec))]] : finish(s, spec, a, "manual", [])
  return learnerLine(s, ev, a, text)
}

/** A line for the persona (typed or transcribed): sent now, or queued behind the line still being answered. */
const learnerLine = (s: Session, ev: AppEvent, a: Attempt, text: string): Step => {
  if (a.pending !== null)
    return [{ ...s, flow: { _tag: "Case", attempt: { ...a, queued: [...a.queued, text] } } }, []]
  // Lines still waiting from before a failure go first: the learner's words keep their order.
  const [first, ...rest] = [...a.queued, text]
  return askPersona(s, { ...a, queued: rest }, first ?? text, ev.now)
}

const onFeedback = (s: Session, ev: AppEvent, spec: CaseSpec, a: Attempt): Step | null => {
  if (ev.input._tag !== "Feedback") return null
  const event = ev.input.event
  const isAdmin = ev.actor.role === "admin"
  switch (event._tag) {
    case "Transcribed": {
      if (event.caseId !== a.caseId || event.attempt !== a.number || a.phase !== "Dialogue") return [s, []]
      if (event.text.trim() === "") return [s, [Cmd.reply(t.notHeard)]]
      const [next, cmds] = learnerLine(s, ev, a, event.text.trim())
      return [next, [Cmd.reply(t.heard(event.text.trim())), ...cmds]]
    }
    case "TranscriptionFailed":
      if (event.caseId !== a.caseId || event.attempt !== a.number || a.phase !== "Dialogue") return [s, []]
      return [s, [Cmd.reply(event.reason === "daily_limit" ? t.dailyLimit : t.voiceFailed)]]
    case "PersonaReplied":
      if (a.pending?.requestId !== event.requestId) return [s, []]
      return recordTurn(s, spec, a, event, isAdmin, ev.now, ev.voiceReplies)
    case "ReviewReady":
      return a.reviewRequestId === event.requestId
        ? showReview(s, spec, a, event.review, event.model, ev.now)
        : [s, []]
    case "AiFailed":
      if (a.pending?.requestId === event.requestId && event.reason === "daily_limit")
        // Nothing to retry today: the line is dropped with the explanation, the dialogue stays open for tomorrow.
        return [
          { ...s, flow: { _tag: "Case", attempt: { ...a, pending: null, queued: [], failed: null } } },
          [Cmd.reply(t.dailyLimit)],
        ]
      if (a.pending?.requestId === event.requestId) return personaFailed(s, spec, a)
      if (a.reviewRequestId !== event.requestId) return [s, []]
      // Over the daily AI budget the review waits for tomorrow: the same button asks again then.
      return [
        { ...s, flow: { _tag: "Case", attempt: { ...a, reviewRequestId: null } } },
        [
          Cmd.reply(
            event.reason === "daily_limit" ? t.dailyLimit : t.reviewUnavailable,
            retryReviewKeyboard(spec.id),
          ),
        ],
      ]
    default:
      return null
  }
}

/**
 * The one role-play reducer for every case. Pure: returns the next state and the commands to run; runs nothing.
 * Returns null for events that are not about a case (the root reducer handles those).
 */
export const makeRoleplayReducer =
  (cases: ReadonlyArray<CaseSpec>) =>
  (s: Session, ev: AppEvent): Step | null => {
    const { input } = ev
    const byId = (id: string) => cases.find((c) => c.id === id)
    if (input._tag === "Callback" && (input.data._tag === "CaseCard" || input.data._tag === "Case")) {
      const spec = byId(input.data.caseId)
      if (!spec) return [s, [Cmd.answer(input.queryId, appTexts.staleButton, true)]]
      if (input.data._tag === "Case") return onButton(s, ev, spec, input.data.action, input.queryId)
      const card =
        input.messageId === null
          ? Cmd.reply
          : (html: string, k: Parameters<typeof Cmd.reply>[1]) => Cmd.edit(input.messageId!, html, k)
      return [s, [Cmd.answer(input.queryId), card(spec.texts.description, caseCardKeyboard(spec.id))]]
    }
    if (input._tag === "Command") {
      const start = cases.find((c) => c.commands.start === input.name)
      if (start) return startAttempt(s, start, ev.now)
      const stop = cases.find((c) => c.commands.stop === input.name)
      if (!stop) return null
      if (s.flow._tag !== "Case" || s.flow.attempt.caseId !== stop.id) return [s, [Cmd.reply(t.notInCase)]]
      return [{ ...s, flow: idle }, [Cmd.reply(stop.texts.stopped, removeReplyKeyboard)]]
    }
    if (s.flow._tag !== "Case") return null
    const attempt = s.flow.attempt
    const spec = byId(attempt.caseId)
    if (!spec) return [{ ...s, flow: idle }, [Cmd.reply(t.notInCase, removeReplyKeyboard)]]
    if (input._tag === "Text") return onText(s, ev, spec, attempt, input.text)
    if (input._tag === "Voice") {
      if (attempt.phase !== "Dialogue") return onText(s, ev, spec, attempt, "")
      const transcribe = { caseId: spec.id, attempt: attempt.number, fileId: input.fileId, mime: input.mime }
      return [
        s,
        [{ _tag: "ChatAction" }, { _tag: "Transcribe", ...transcribe, fileUniqueId: input.fileUniqueId }],
      ]
    }
    return onFeedback(s, ev, spec, attempt)
  }
