import type { Attempt, Destination } from "../../core/attempt"
import type { LeaveChoice } from "../../core/callback-data"
import { Cmd } from "../../core/commands"
import type { Envelope } from "../../core/model"
import { idle, type Session } from "../../core/session"
import type { Step } from "../../core/step"
import { sharedTexts } from "../../core/texts"
import { askReview, startAttempt, withAttempt } from "./dialogue"
import { requestFinish } from "./finishing"
import { leaveKeyboard, leaveReviewKeyboard, removeReplyKeyboard } from "./keyboards"
import type { CaseSpec, RoleplaySetup } from "./spec"
import { kernelTexts as t } from "./texts"

/** A dialogue the learner has put words into: a start must not throw it away unasked. */
export const isRunning = (a: Attempt): boolean =>
  a.phase === "Dialogue" && (a.turns.length > 0 || a.pending !== null)

/** A finished dialogue whose review failed: the words are kept until the learner retries it or lets it go. */
const reviewFailed = (a: Attempt): boolean => a.phase === "Reviewing" && a.reviewRequestId === null

/**
 * Asks before a start (/start, a case command, an old start button) drops the running dialogue, or a finished one
 * whose review failed (then: the review again, or drop it). A review still on its way is waited for instead: the
 * learner is told it comes in a moment, and nothing changes. The question takes a fresh request id: its buttons
 * carry it, so an older question's buttons are stale. Null when nothing would be lost.
 */
export const askBeforeLeaving = (s: Session, spec: CaseSpec, a: Attempt, to: Destination): Step | null => {
  if (a.phase === "Reviewing" && a.reviewRequestId !== null) return [s, [Cmd.reply(t.leave.reviewComing)]]
  if (!isRunning(a) && !reviewFailed(a)) return null
  const id = s.nextRequestId
  const [question, keyboard] = isRunning(a)
    ? [t.leave.question(spec), leaveKeyboard(id)]
    : [t.leave.reviewQuestion(spec), leaveReviewKeyboard(id)]
  return [
    { ...withAttempt(s, { ...a, leaving: { id, to } }), nextRequestId: id + 1 },
    [Cmd.reply(question, keyboard)],
  ]
}

/** Leaves the dialogue for the home screen: the dialogue keyboard goes, the welcome comes. */
export const goHome = (s: Session, ev: Envelope, setup: RoleplaySetup): Step => [
  { ...s, flow: idle },
  [Cmd.reply(t.left, removeReplyKeyboard), ...setup.home(ev)],
]

/** What the learner asked for before the question: the home screen, or a fresh attempt of a case. */
const proceed = (s: Session, ev: Envelope, setup: RoleplaySetup, to: Destination): Step => {
  const target = to._tag === "StartCase" ? setup.cases.find((c) => c.id === to.caseId) : undefined
  return target && to._tag === "StartCase" ? startAttempt(s, target, ev.now, to.level) : goHome(s, ev, setup)
}

/**
 * The answer to the leaving question `id`: the question's message keeps the choice (its buttons go), then the
 * dialogue goes on, finishes like «📊 Получить анализ», or is dropped for what the learner asked for.
 * A question no longer open (answered, replaced by a newer one, or its dialogue over) is a stale button.
 */
export const onLeaveChoice = (
  s: Session,
  ev: Envelope,
  setup: RoleplaySetup,
  answer: { readonly id: number; readonly choice: LeaveChoice; readonly queryId: string },
  messageId: number | null,
): Step => {
  const a = s.flow._tag === "Case" ? s.flow.attempt : null
  const spec = setup.cases.find((c) => c.id === a?.caseId)
  // Over a failed review the question has no «continue»: the dialogue is over already.
  const answerable = a?.phase === "Dialogue" || (a !== null && reviewFailed(a) && answer.choice !== "stay")
  if (!a || !spec || a.leaving?.id !== answer.id || !answerable)
    return [s, [Cmd.answer(answer.queryId, sharedTexts.staleButton, true)]]
  const open = { ...a, leaving: null }
  const settled = withAttempt(s, open)
  const close = (html: string) => [
    Cmd.answer(answer.queryId),
    messageId === null ? Cmd.reply(html) : Cmd.edit(messageId, html),
  ]
  if (answer.choice === "stay") return [settled, close(t.leave.stayed)]
  const reviewAgain = open.phase === "Reviewing" && open.outcome !== null ? open.outcome : null
  const [next, cmds] =
    answer.choice === "drop"
      ? proceed(settled, ev, setup, a.leaving.to)
      : reviewAgain
        ? askReview(settled, open, reviewAgain)
        : requestFinish(settled, spec, open)
  const label =
    reviewAgain && answer.choice === "finish" ? t.leave.buttons.review : t.leave.buttons[answer.choice]
  return [next, [...close(t.leave.chosen(label)), ...cmds]]
}
