import { describe, expect, test } from "bun:test"
import { authTexts } from "../../src/auth/texts"
import type { CallbackData } from "../../src/core/callback-data"
import type { Envelope, Input, Role } from "../../src/core/model"
import { initialSession, type Session } from "../../src/core/session"
import { caseCommands } from "../../src/nav/command-menu"
import { backToMenu, mainMenu } from "../../src/nav/keyboards"
import { navReducer } from "../../src/nav/reducer"
import { texts } from "../../src/nav/texts"
import { voiceInput } from "../support/updates"

const USER_ID = 987654321
const FIRST_NAME = "Olga"
const SINCE = new Date("2024-03-15T23:30:00Z")

const ev = (
  input: Input,
  o: { readonly role?: Role | null; readonly since?: Date | null; readonly firstName?: string } = {},
): Envelope => ({
  input,
  actor: {
    userId: USER_ID,
    chatId: USER_ID,
    role: o.role === undefined ? "user" : o.role,
    firstName: o.firstName ?? FIRST_NAME,
    username: null,
    since: o.since === undefined ? SINCE : o.since,
  },
  now: 1_700_000_000_000,
  authEnabled: true,
})

/** A non-initial state: navigation must hand it back untouched. */
const state: Session = {
  flow: { _tag: "AwaitingPassword", purpose: "relogin" },
  auth: { failures: 2, lockedUntil: null },
  rate: { minute: { start: 5, count: 3, warned: false }, hour: { start: 5, count: 9, warned: true } },
  nextRequestId: 7,
  attempts: { fb_employee: 2 },
  reviewed: { fb_employee: 1 },
  reviews: 1,
  surveyRun: 0,
  forgetAsked: false,
}

const command = (name: string): Input => ({ _tag: "Command", name, args: "", messageId: 31 })
const callback = (data: CallbackData, messageId: number | null = 555): Input => ({
  _tag: "Callback",
  queryId: "query-1",
  data,
  messageId,
})
const nav = (target: "menu" | "faq" | "help"): CallbackData => ({ _tag: "Nav", target })

const htmlOf = (step: ReturnType<typeof navReducer>): string => {
  const cmd = step[1][0]
  return cmd?._tag === "Reply" || cmd?._tag === "Edit" ? cmd.html : ""
}

describe("navReducer", () => {
  test("/help for a user → help without the admin section, with the back-to-menu button", () => {
    const step = navReducer(state, ev(command("help"), { role: "user" }))
    expect(step).toEqual([
      state,
      [{ _tag: "Reply", html: texts.help(false, caseCommands()), keyboard: backToMenu() }],
    ])
    expect(htmlOf(step)).not.toContain("/dbping")
  })

  test("/help without a role → help without the admin section", () => {
    const step = navReducer(state, ev(command("help"), { role: null }))
    expect(step).toEqual([
      state,
      [{ _tag: "Reply", html: texts.help(false, caseCommands()), keyboard: backToMenu() }],
    ])
  })

  test("/help for an admin → help with the admin section", () => {
    const step = navReducer(state, ev(command("help"), { role: "admin" }))
    expect(step).toEqual([
      state,
      [{ _tag: "Reply", html: texts.help(true, caseCommands()), keyboard: backToMenu() }],
    ])
    expect(htmlOf(step)).toContain("/dbping")
    expect(texts.help(true, caseCommands())).not.toEqual(texts.help(false, caseCommands()))
  })

  test("/faq → the FAQ with the back-to-menu button", () => {
    expect(navReducer(state, ev(command("faq")))).toEqual([
      state,
      [{ _tag: "Reply", html: texts.faq(), keyboard: backToMenu() }],
    ])
  })

  test("/faq with DIALOGUE_RETENTION_DAYS → the FAQ tells that period, by command and by button", () => {
    const withRetention = (input: Input): Envelope => ({ ...ev(input), dialogueRetentionDays: 30 })
    expect(navReducer(state, withRetention(command("faq")))).toEqual([
      state,
      [{ _tag: "Reply", html: texts.faq(30), keyboard: backToMenu() }],
    ])
    expect(navReducer(state, withRetention(callback(nav("faq"))))[1]).toEqual([
      { _tag: "AnswerCallback", queryId: "query-1" },
      { _tag: "Edit", messageId: 555, html: texts.faq(30), keyboard: backToMenu() },
    ])
  })

  test("/whoami for an admin → role name, Telegram id and the date joined (in the configured zone), no keyboard", () => {
    const step = navReducer(state, ev(command("whoami"), { role: "admin" }))
    expect(step).toEqual([
      state,
      [{ _tag: "Reply", html: authTexts.whoami("admin", USER_ID, SINCE, "Europe/Moscow") }],
    ])
    const html = htmlOf(step)
    expect(html).toContain("<b>администратор</b>")
    expect(html).toContain(`<code>${USER_ID}</code>`)
    // 23:30 UTC on the 15th is already the 16th in Moscow (the default zone): the date is taken there.
    expect(html).toContain("16.03.2024")
  })

  test("/whoami for a user → the user role name", () => {
    const step = navReducer(state, ev(command("whoami"), { role: "user" }))
    expect(step).toEqual([
      state,
      [{ _tag: "Reply", html: authTexts.whoami("user", USER_ID, SINCE, "Europe/Moscow") }],
    ])
    expect(htmlOf(step)).toContain("<b>пользователь</b>")
  })

  test("/whoami without a role and join date → no-role line, no date line", () => {
    const step = navReducer(state, ev(command("whoami"), { role: null, since: null }))
    expect(step).toEqual([
      state,
      [{ _tag: "Reply", html: authTexts.whoami(null, USER_ID, null, "Europe/Moscow") }],
    ])
    expect(htmlOf(step).split("\n")).toHaveLength(3)
    expect(htmlOf(step)).not.toContain("администратор")
  })

  test("/dbping for an admin → PingDb", () => {
    expect(navReducer(state, ev(command("dbping"), { role: "admin" }))).toEqual([state, [{ _tag: "PingDb" }]])
  })

  test("/dbping for a user → adminOnly", () => {
    expect(navReducer(state, ev(command("dbping"), { role: "user" }))).toEqual([
      state,
      [{ _tag: "Reply", html: texts.adminOnly }],
    ])
  })

  test("/dbping without a role → adminOnly", () => {
    expect(navReducer(state, ev(command("dbping"), { role: null }))).toEqual([
      state,
      [{ _tag: "Reply", html: texts.adminOnly }],
    ])
  })

  test("Feedback DbPinged ok → the answer time", () => {
    const step = navReducer(state, ev({ _tag: "Feedback", event: { _tag: "DbPinged", ok: true, ms: 12 } }))
    expect(step).toEqual([state, [{ _tag: "Reply", html: texts.dbPing(true, 12) }]])
    expect(htmlOf(step)).toContain("12")
  })

  test("Feedback DbPinged not ok → the failure text", () => {
    const step = navReducer(state, ev({ _tag: "Feedback", event: { _tag: "DbPinged", ok: false, ms: 3000 } }))
    expect(step).toEqual([state, [{ _tag: "Reply", html: texts.dbPing(false, 3000) }]])
    expect(texts.dbPing(false, 3000)).not.toEqual(texts.dbPing(true, 3000))
  })

  test("Nav menu button on a message → AnswerCallback(queryId) then Edit with the short menu (not the welcome again)", () => {
    expect(navReducer(state, ev(callback(nav("menu"))))).toEqual([
      state,
      [
        { _tag: "AnswerCallback", queryId: "query-1" },
        { _tag: "Edit", messageId: 555, html: texts.menu, keyboard: mainMenu() },
      ],
    ])
  })

  test("Nav faq button on a message → AnswerCallback then Edit with the FAQ and back button", () => {
    expect(navReducer(state, ev(callback(nav("faq"))))).toEqual([
      state,
      [
        { _tag: "AnswerCallback", queryId: "query-1" },
        { _tag: "Edit", messageId: 555, html: texts.faq(), keyboard: backToMenu() },
      ],
    ])
  })

  test("Nav help button for a user → Edit with the user help", () => {
    expect(navReducer(state, ev(callback(nav("help")), { role: "user" }))).toEqual([
      state,
      [
        { _tag: "AnswerCallback", queryId: "query-1" },
        { _tag: "Edit", messageId: 555, html: texts.help(false, caseCommands()), keyboard: backToMenu() },
      ],
    ])
  })

  test("Nav help button for an admin → Edit with the admin help", () => {
    expect(navReducer(state, ev(callback(nav("help")), { role: "admin" }))).toEqual([
      state,
      [
        { _tag: "AnswerCallback", queryId: "query-1" },
        { _tag: "Edit", messageId: 555, html: texts.help(true, caseCommands()), keyboard: backToMenu() },
      ],
    ])
  })

  test("Nav menu button without a message → AnswerCallback then a new Reply", () => {
    expect(navReducer(state, ev(callback(nav("menu"), null)))).toEqual([
      state,
      [
        { _tag: "AnswerCallback", queryId: "query-1" },
        { _tag: "Reply", html: texts.menu, keyboard: mainMenu() },
      ],
    ])
  })

  test("Nav faq button without a message → AnswerCallback then a new Reply", () => {
    expect(navReducer(state, ev(callback(nav("faq"), null)))).toEqual([
      state,
      [
        { _tag: "AnswerCallback", queryId: "query-1" },
        { _tag: "Reply", html: texts.faq(), keyboard: backToMenu() },
      ],
    ])
  })

  test("Unknown callback → only an AnswerCallback alert with staleButton", () => {
    expect(navReducer(state, ev(callback({ _tag: "Unknown", raw: "case:42" })))).toEqual([
      state,
      [{ _tag: "AnswerCallback", queryId: "query-1", text: texts.staleButton, alert: true }],
    ])
  })

  test("Voice outside a dialogue → the voice explanation", () => {
    expect(navReducer(state, ev(voiceInput))).toEqual([
      state,
      [{ _tag: "Reply", html: texts.unsupported.voice }],
    ])
  })

  for (const kind of ["media", "group", "other"] as const) {
    test(`Unsupported ${kind} → the ${kind} explanation`, () => {
      expect(navReducer(state, ev({ _tag: "Unsupported", kind }))).toEqual([
        state,
        [{ _tag: "Reply", html: texts.unsupported[kind] }],
      ])
    })
  }

  test("Unsupported kinds → four distinct texts", () => {
    expect(new Set(Object.values(texts.unsupported)).size).toBe(4)
  })

  test("Rejected too_short → the empty-message text", () => {
    expect(navReducer(state, ev({ _tag: "Rejected", reason: "too_short", limit: 1 }))).toEqual([
      state,
      [{ _tag: "Reply", html: texts.rejected("too_short", 1) }],
    ])
  })

  test("Rejected too_long → the text names the character limit", () => {
    const step = navReducer(state, ev({ _tag: "Rejected", reason: "too_long", limit: 12000 }))
    expect(step).toEqual([state, [{ _tag: "Reply", html: texts.rejected("too_long", 12000) }]])
    expect(htmlOf(step)).toContain("12000")
  })

  test("Rejected too_many_lines → the text names the line limit", () => {
    const step = navReducer(state, ev({ _tag: "Rejected", reason: "too_many_lines", limit: 50 }))
    expect(step).toEqual([state, [{ _tag: "Reply", html: texts.rejected("too_many_lines", 50) }]])
    expect(htmlOf(step)).toContain("50")
  })

  test("free Text → the fallback with the main menu", () => {
    expect(navReducer(state, ev({ _tag: "Text", text: "привет", messageId: 3 }))).toEqual([
      state,
      [{ _tag: "Reply", html: texts.fallback, keyboard: mainMenu() }],
    ])
  })

  test("unknown command → unknownCommand", () => {
    expect(navReducer(state, ev(command("frobnicate")))).toEqual([
      state,
      [{ _tag: "Reply", html: texts.unknownCommand }],
    ])
  })

  test("PasswordAttempt → nothing (auth owns it)", () => {
    expect(navReducer(state, ev({ _tag: "PasswordAttempt", role: "user", messageId: 1 }))).toEqual([
      state,
      [],
    ])
  })

  test("initial session → returned as is", () => {
    expect(navReducer(initialSession, ev(command("faq")))[0]).toBe(initialSession)
  })
})
