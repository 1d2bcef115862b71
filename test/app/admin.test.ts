import { describe, expect, test } from "bun:test"
import { adminTexts } from "../../src/admin/texts"
import { adminReducer } from "../../src/app/admin"
import type { AppEvent, Input } from "../../src/app/model"
import { initialSession, type Session } from "../../src/app/session"
import { newAttempt } from "../../src/cases/kernel/attempt"

const ev = (input: Input): AppEvent => ({
  input,
  actor: { userId: 42, chatId: 42, role: null, firstName: "Аня", username: null, since: null },
  now: 1_700_000_000_000,
  authEnabled: true,
})

const forget = (confirmed: boolean): Input => ({
  _tag: "Callback",
  queryId: "q-1",
  data: { _tag: "Forget", confirmed },
  messageId: 9,
})

/** Mid-dialogue, with counters the deletion takes away (the session row is deleted by ForgetMe). */
const inDialogue: Session = {
  ...initialSession,
  flow: { _tag: "Case", attempt: newAttempt("fb_employee", 2, 1_600_000_000_000) },
  attempts: { fb_employee: 2 },
}

describe("adminReducer: /forget_me", () => {
  test("«Да, удалить» → the dialogue closes; delete, then say so, in this one step (no feedback event to store)", () => {
    expect(adminReducer(inDialogue, ev(forget(true)))).toEqual([
      { ...inDialogue, flow: { _tag: "Idle" } },
      [
        { _tag: "AnswerCallback", queryId: "q-1" },
        { _tag: "ForgetMe" },
        { _tag: "Reply", html: adminTexts.forgetDone, keyboard: { _tag: "RemoveReply" } },
      ],
    ])
  })

  test("«Нет, оставить» → nothing changes", () => {
    expect(adminReducer(inDialogue, ev(forget(false)))).toEqual([
      inDialogue,
      [
        { _tag: "AnswerCallback", queryId: "q-1" },
        { _tag: "Reply", html: adminTexts.forgetKept },
      ],
    ])
  })
})
