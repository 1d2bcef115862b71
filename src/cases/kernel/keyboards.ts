import { button, callbackData } from "../../core/callback-data"
import { inline, type Keyboard } from "../../core/commands"
import { sharedTexts } from "../../core/texts"
import { kernelTexts as t } from "./texts"

const toMenu = () => button(sharedTexts.menuButton, callbackData.nav("menu"))

/** Under the case card: start (the usual persona, or a softer or harder one), the guide, back to the menu. */
const practiceRows = (caseId: string) => [
  [button(t.buttons.start, callbackData.caseAction(caseId, "start"))],
  [
    button(t.buttons.soft, callbackData.caseAction(caseId, "soft")),
    button(t.buttons.normal, callbackData.caseAction(caseId, "start")),
    button(t.buttons.hard, callbackData.caseAction(caseId, "hard")),
  ],
]

export const caseCardKeyboard = (caseId: string): Keyboard =>
  inline(
    ...practiceRows(caseId),
    [button(t.buttons.theory, callbackData.caseAction(caseId, "theory"))],
    [toMenu()],
  )

/** Under the PDF guide: the way into practice (any level) and back to the menu. */
export const guideKeyboard = (caseId: string): Keyboard => inline(...practiceRows(caseId), [toMenu()])

/** The reply keyboard during a dialogue; its labels are matched exactly when the learner taps them. */
export const dialogueKeyboard = (): Keyboard => ({
  _tag: "Reply",
  rows: [
    [t.buttons.hint, t.buttons.analysis],
    [t.buttons.restart, t.buttons.menu],
  ],
  placeholder: t.inputPlaceholder,
})

export const afterReviewKeyboard = (caseId: string): Keyboard =>
  inline([button(t.buttons.tryAgain, callbackData.caseAction(caseId, "restart"))], [toMenu()])

export const retryKeyboard = (caseId: string): Keyboard =>
  inline([button(t.buttons.retry, callbackData.caseAction(caseId, "retry"))])

export const rehearKeyboard = (caseId: string): Keyboard =>
  inline([button(t.buttons.rehear, callbackData.caseAction(caseId, "rehear"))])

export const retryReviewKeyboard = (caseId: string): Keyboard =>
  inline([button(t.buttons.retryReview, callbackData.caseAction(caseId, "review"))])

export const removeReplyKeyboard: Keyboard = { _tag: "RemoveReply" }

/** Under the leaving question `id`: go on, finish with a review, or drop the dialogue. */
export const leaveKeyboard = (id: number): Keyboard =>
  inline(
    [button(t.leave.buttons.stay, callbackData.leave(id, "stay"))],
    [button(t.leave.buttons.finish, callbackData.leave(id, "finish"))],
    [button(t.leave.buttons.drop, callbackData.leave(id, "drop"))],
  )

/** The same question over a finished dialogue whose review failed: the review again, or drop it. */
export const leaveReviewKeyboard = (id: number): Keyboard =>
  inline(
    [button(t.leave.buttons.review, callbackData.leave(id, "finish"))],
    [button(t.leave.buttons.drop, callbackData.leave(id, "drop"))],
  )
