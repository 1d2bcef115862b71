import type { Attempt, Destination, Level } from "../../core/attempt"
import type { CaseAction } from "../../core/callback-data"
import { Cmd } from "../../core/commands"
import type { Envelope } from "../../core/model"
import { idle, type Session } from "../../core/session"
import type { Step } from "../../core/step"
import { sharedTexts } from "../../core/texts"
import { askPersona, askReview, giveHint, startAttempt } from "./dialogue"
import { onFeedback } from "./feedback"
import { requestFinish } from "./finishing"
import { learnerLine, listen } from "./hearing"
import { afterReviewKeyboard, caseCardKeyboard, removeReplyKeyboard, retryReviewKeyboard } from "./keyboards"
import { askBeforeLeaving, goHome, isRunning, onLeaveChoice } from "./leaving"
import type { CaseSpec, RoleplaySetup } from "./spec"
import { kernelTexts as t, withSupport } from "./texts"

/** Starts `spec` unless that would drop a running dialogue (of any case): then asks first. */
const startOrAsk = (
  s: Session,
  ev: Envelope,
  setup: RoleplaySetup,
  spec: CaseSpec,
  level: Level = "normal",
): Step =>
  askIfRunning(s, setup.cases, { _tag: "StartCase", caseId: spec.id, level }) ??
  startAttempt(s, spec, ev.now, level)

/** The level of the case's last attempt in this chat: «ещё раз» keeps it. */
const levelOf = (s: Session, caseId: string): Level =>
  s.flow._tag === "Case" && s.flow.attempt.caseId === caseId ? s.flow.attempt.level : "normal"

/** The leaving question when a dialogue with the learner's words is open; null when nothing would be lost. */
const askIfRunning = (s: Session, cases: ReadonlyArray<CaseSpec>, to: Destination): Step | null => {
  const a = s.flow._tag === "Case" ? s.flow.attempt : null
  const spec = cases.find((c) => c.id === a?.caseId)
  return a && spec ? askBeforeLeaving(s, spec, a, to) : null
}

const onButton = (
  s: Session,
  ev: Envelope,
  setup: RoleplaySetup,
  spec: CaseSpec,
  action: CaseAction,
  queryId: string,
): Step => {
  const attempt = s.flow._tag === "Case" && s.flow.attempt.caseId === spec.id ? s.flow.attempt : null
  const answered = ([next, cmds]: Step, text?: string): Step => [next, [Cmd.answer(queryId, text), ...cmds]]
  switch (action) {
    case "start":
    case "soft":
    case "hard":
      return attempt && isRunning(attempt)
        ? [s, [Cmd.answer(queryId, t.alreadyRunning)]]
        : answered(startOrAsk(s, ev, setup, spec, action === "start" ? "normal" : action))
    case "restart":
      // An old «🔄 Попробовать ещё раз» under an earlier review: a running dialogue is not dropped unasked.
      return answered(startOrAsk(s, ev, setup, spec, levelOf(s, spec.id)))
    case "theory":
      return [s, [Cmd.answer(queryId, t.guideSent), { _tag: "SendGuide", caseId: spec.id }]]
    case "retry":
      if (attempt?.phase !== "Dialogue" || attempt.failed === null) break
      return answered(askPersona(s, attempt, attempt.failed, ev.now))
    case "rehear":
      if (attempt?.phase !== "Dialogue" || attempt.unheard.length === 0) break
      return answered(listen(s, { ...attempt, unheard: [] }, attempt.unheard))
    case "review":
      if (attempt?.phase !== "Reviewing" || attempt.reviewRequestId !== null || attempt.outcome === null)
        break
      return answered(askReview(s, attempt, attempt.outcome))
  }
  return [s, [Cmd.answer(queryId, sharedTexts.staleButton, true)]]
}

const onText = (
  s: Session,
  ev: Envelope,
  setup: RoleplaySetup,
  spec: CaseSpec,
  a: Attempt,
  text: string,
): Step => {
  if (text === t.buttons.restart) return startAttempt(s, spec, ev.now, a.level)
  if (text === t.buttons.menu) return goHome(s, ev, setup)
  if (a.phase === "Reviewed") return [s, [Cmd.reply(t.afterReview, afterReviewKeyboard(spec.id))]]
  if (a.phase === "Reviewing")
    return a.reviewRequestId === null
      ? [s, [Cmd.reply(withSupport(t.reviewUnavailable, ev.supportContact), retryReviewKeyboard(spec.id))]]
      : [s, [Cmd.reply(t.reviewInProgress)]]
  if (text === t.buttons.analysis) return requestFinish(s, spec, a)
  if (text === t.buttons.hint) return giveHint(s, spec, a)
  return learnerLine(s, ev, a, text)
}

/**
 * The one role-play reducer for every case. Pure: returns the next state and the commands to run; runs nothing.
 * Returns null for events that are not about a case (the root reducer handles those).
 */
export const makeRoleplayReducer =
  (setup: RoleplaySetup) =>
  (s: Session, ev: Envelope): Step | null => {
    const { input } = ev
    const { cases } = setup
    const byId = (id: string) => cases.find((c) => c.id === id)
    if (input._tag === "Callback" && input.data._tag === "Leave") {
      const { id, choice } = input.data
      return onLeaveChoice(s, ev, setup, { id, choice, queryId: input.queryId }, input.messageId)
    }
    if (input._tag === "Callback" && (input.data._tag === "CaseCard" || input.data._tag === "Case")) {
      const spec = byId(input.data.caseId)
      if (!spec) return [s, [Cmd.answer(input.queryId, sharedTexts.staleButton, true)]]
      if (input.data._tag === "Case") return onButton(s, ev, setup, spec, input.data.action, input.queryId)
      const card =
        input.messageId === null
          ? Cmd.reply
          : (html: string, k: Parameters<typeof Cmd.reply>[1]) => Cmd.edit(input.messageId!, html, k)
      const description = `${spec.texts.description}\n\n${t.levelsNote}`
      return [s, [Cmd.answer(input.queryId), card(description, caseCardKeyboard(spec.id))]]
    }
    if (input._tag === "Command") {
      // /start goes home (the root reducer's part) unless a running dialogue needs the question first; without
      // a role the answer buttons would be refused, so then it is not asked.
      if (input.name === "start")
        return ev.authEnabled && ev.actor.role === null ? null : askIfRunning(s, cases, { _tag: "Home" })
      const start = cases.find((c) => c.commands.start === input.name)
      if (start) return startOrAsk(s, ev, setup, start)
      const stop = cases.find((c) => c.commands.stop === input.name)
      if (!stop) return null
      if (s.flow._tag !== "Case" || s.flow.attempt.caseId !== stop.id) return [s, [Cmd.reply(t.notInCase)]]
      return [{ ...s, flow: idle }, [Cmd.reply(stop.texts.stopped, removeReplyKeyboard)]]
    }
    if (s.flow._tag !== "Case") return null
    const attempt = s.flow.attempt
    const spec = byId(attempt.caseId)
    if (!spec) return [{ ...s, flow: idle }, [Cmd.reply(t.notInCase, removeReplyKeyboard)]]
    if (input._tag === "Text") return onText(s, ev, setup, spec, attempt, input.text)
    if (input._tag === "Voice") {
      if (attempt.phase !== "Dialogue") return onText(s, ev, setup, spec, attempt, "")
      const { fileId, fileUniqueId, mime } = input
      return listen(s, attempt, [{ fileId, fileUniqueId, mime }])
    }
    return onFeedback(s, ev, spec, attempt)
  }
