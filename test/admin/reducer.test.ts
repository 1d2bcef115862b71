import { describe, expect, test } from "bun:test"
import { adminReducer } from "../../src/admin/reducer"
import { adminTexts, adminTexts as t } from "../../src/admin/texts"
import { newAttempt } from "../../src/core/attempt"
import { Cmd } from "../../src/core/commands"
import type { Envelope, Feedback, Input, RoleChangeOutcome } from "../../src/core/model"
import { initialSession, type Session } from "../../src/core/session"
import { sharedTexts } from "../../src/core/texts"

const ev = (input: Input): Envelope => ({
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

/** Mid-dialogue, asked by /forget_me, with counters the deletion takes away (ForgetMe deletes the session row). */
const inDialogue: Session = {
  ...initialSession,
  flow: { _tag: "Case", attempt: newAttempt("fb_employee", 2, 1_600_000_000_000) },
  attempts: { fb_employee: 2 },
  forgetAsked: true,
}

describe("adminReducer: /forget_me", () => {
  test("«Да, удалить» → the dialogue closes; delete, then say so, in this one step (no feedback event to store)", () => {
    expect(adminReducer(inDialogue, ev(forget(true)))).toEqual([
      { ...inDialogue, flow: { _tag: "Idle" }, forgetAsked: false },
      [
        { _tag: "AnswerCallback", queryId: "q-1" },
        { _tag: "Edit", messageId: 9, html: adminTexts.forgetAnswered(adminTexts.forgetYes) },
        { _tag: "ForgetMe" },
        { _tag: "Reply", html: adminTexts.forgetDone, keyboard: { _tag: "RemoveReply" } },
      ],
    ])
  })

  test("«Нет, оставить» → nothing changes; the question keeps the choice and loses its buttons", () => {
    expect(adminReducer(inDialogue, ev(forget(false)))).toEqual([
      { ...inDialogue, forgetAsked: false },
      [
        { _tag: "AnswerCallback", queryId: "q-1" },
        { _tag: "Edit", messageId: 9, html: adminTexts.forgetAnswered(adminTexts.forgetNo) },
        { _tag: "Reply", html: adminTexts.forgetKept },
      ],
    ])
  })
})

describe("adminReducer: a /forget_me answer without an open question", () => {
  test("«Да» pressed again after «Нет», or forged without /forget_me → an outdated-button alert, nothing deleted", () => {
    const answered = { ...inDialogue, forgetAsked: false }
    for (const confirmed of [true, false])
      expect(adminReducer(answered, ev(forget(confirmed)))).toEqual([
        answered,
        [{ _tag: "AnswerCallback", queryId: "q-1", text: sharedTexts.staleButton, alert: true }],
      ])
  })

  test("/forget_me opens the question", () => {
    const [next] = adminReducer(
      initialSession,
      ev({ _tag: "Command", name: "forget_me", args: "", messageId: 3 }),
    )!
    expect(next.forgetAsked).toBe(true)
  })
})

const feedback = (event: Feedback): Envelope => ({
  input: { _tag: "Feedback", event },
  actor: { userId: 1, chatId: 1, role: "admin", firstName: "Олег", username: null, since: null },
  now: 0,
  authEnabled: true,
})

const changed = (outcome: RoleChangeOutcome, role: "user" | "admin" | "none", target = "@anya") =>
  feedback({ _tag: "RoleChanged", target, role, outcome, userId: outcome === "done" ? 42 : null })

describe("adminReducer: /setrole's words", () => {
  const setrole = (args: string) =>
    adminReducer(initialSession, {
      ...feedback({ _tag: "Forgotten" }),
      input: { _tag: "Command", name: "setrole", args, messageId: 5 },
    })![1]
  const refused = (problem: string) => [Cmd.reply(`${problem}\n\n${t.setroleUsage}`)]

  test("the role in any case; an id or a @username", () => {
    expect(setrole("602 USER")).toEqual([{ _tag: "ChangeRole", target: "602", role: "user" }])
    expect(setrole(" @Petr_P   Admin ")).toEqual([{ _tag: "ChangeRole", target: "@Petr_P", role: "admin" }])
  })

  test("what is wrong is said before the usage; extra words change nothing; no words → the usage alone", () => {
    expect(setrole("")).toEqual([Cmd.reply(t.setroleUsage)])
    expect(setrole("abc user")).toEqual(refused(t.setroleBadTarget("abc")))
    expect(setrole("0 user")).toEqual(refused(t.setroleBadTarget("0")))
    expect(setrole("602")).toEqual(refused(t.setroleNoRole))
    expect(setrole("602 superuser")).toEqual(refused(t.setroleBadRole("superuser")))
    expect(setrole("602 admin extra")).toEqual(refused(t.setroleExtra))
  })
})

describe("adminReducer: how /setrole went", () => {
  const cases: ReadonlyArray<readonly [string, Envelope, string]> = [
    ["unknown @username → ask for the numeric id", changed("not_found", "user"), t.setroleNotFound("@anya")],
    [
      "a @username two users share → ask for the numeric id",
      changed("ambiguous", "user"),
      t.setroleAmbiguous("@anya"),
    ],
    ["the last admin demoting themselves → refused", changed("last_admin", "none", "1"), t.setroleLastAdmin],
  ]
  for (const [label, event, text] of cases)
    test(`${label}`, () => {
      expect(adminReducer(initialSession, event)).toEqual([initialSession, [Cmd.reply(text)]])
    })

  test("granted → the role in Russian to the admin, and a notice to the person", () => {
    expect(adminReducer(initialSession, changed("done", "admin"))).toEqual([
      initialSession,
      [
        Cmd.reply(t.setroleDone("@anya", "администратор")),
        { _tag: "NotifyUser", userId: 42, html: t.roleNotice.admin },
      ],
    ])
  })

  test("revoked → how to give it back, by id; the person is told their access is closed", () => {
    expect(adminReducer(initialSession, changed("done", "none"))).toEqual([
      initialSession,
      [Cmd.reply(t.setroleRevoked("@anya", 42)), { _tag: "NotifyUser", userId: 42, html: t.roleNotice.none }],
    ])
  })

  test("an admin changing their own role is told so, and not promised a notice", () => {
    const own = feedback({ _tag: "RoleChanged", target: "1", role: "user", outcome: "done", userId: 1 })
    expect(adminReducer(initialSession, own)).toEqual([
      initialSession,
      [Cmd.reply(t.setroleOwn("пользователь"))],
    ])
    expect(t.setroleOwn("пользователь")).not.toContain("уведомление")
  })

  test("the texts → a @username gets the numeric-id hint; a revocation says how to restore", () => {
    expect(t.setroleNotFound("@anya")).toContain("числовой Telegram ID")
    expect(t.setroleAmbiguous("@anya")).toContain("числовой Telegram ID")
    expect(t.setroleRevoked("@anya", 42)).toContain("/setrole 42 user")
  })
})
