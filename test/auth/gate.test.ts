import { describe, expect, test } from "bun:test"
import { refuseWithoutRole } from "../../src/auth/gate"
import { authTexts } from "../../src/auth/texts"
import { Cmd } from "../../src/core/commands"
import type { Envelope, Input, Role } from "../../src/core/model"
import { initialSession, type Session } from "../../src/core/session"
import { voiceInput } from "../support/updates"

const ev = (input: Input, role: Role | null, authEnabled: boolean): Envelope => ({
  input,
  actor: { userId: 1, chatId: 1, role, firstName: "Ivan", username: null, since: null },
  now: 1_700_000_000_000,
  authEnabled,
})

const flows: Record<"Idle" | "AwaitingPassword", Session> = {
  Idle: initialSession,
  AwaitingPassword: { ...initialSession, flow: { _tag: "AwaitingPassword", purpose: "login" } },
}

const command = (name: string): Input => ({ _tag: "Command", name, args: "", messageId: 2 })

const needLogin: ReadonlyArray<Cmd> = [{ _tag: "Reply", html: authTexts.needLogin }]
const alert: ReadonlyArray<Cmd> = [
  { _tag: "AnswerCallback", queryId: "cb-1", text: authTexts.needLoginAlert, alert: true },
]

/** label, input, expected refusal for (no role, auth on) while Idle, and while AwaitingPassword. */
const table: ReadonlyArray<readonly [string, Input, ReadonlyArray<Cmd> | null, ReadonlyArray<Cmd> | null]> = [
  ["/start", command("start"), null, null],
  ["/help", command("help"), null, null],
  ["/faq", command("faq"), needLogin, needLogin],
  ["/whoami", command("whoami"), needLogin, needLogin],
  ["/dbping", command("dbping"), needLogin, needLogin],
  ["/relogin", command("relogin"), needLogin, needLogin],
  ["/logout", command("logout"), needLogin, needLogin],
  ["/unknown", command("unknown"), needLogin, needLogin],
  ["PasswordAttempt", { _tag: "PasswordAttempt", role: null, messageId: 3 }, null, null],
  ["Feedback", { _tag: "Feedback", event: { _tag: "DbPinged", ok: true, ms: 1 } }, null, null],
  [
    "Callback nav",
    { _tag: "Callback", queryId: "cb-1", data: { _tag: "Nav", target: "faq" }, messageId: 4 },
    alert,
    alert,
  ],
  [
    "Callback unknown",
    { _tag: "Callback", queryId: "cb-1", data: { _tag: "Unknown", raw: "x" }, messageId: null },
    alert,
    alert,
  ],
  ["Voice", voiceInput, needLogin, null],
  ["Unsupported media", { _tag: "Unsupported", kind: "media" }, needLogin, null],
  ["Unsupported other", { _tag: "Unsupported", kind: "other" }, needLogin, null],
  ["Unsupported group", { _tag: "Unsupported", kind: "group" }, null, null],
  ["Rejected too_long", { _tag: "Rejected", reason: "too_long", limit: 10 }, needLogin, null],
  ["Rejected too_short", { _tag: "Rejected", reason: "too_short", limit: 1 }, needLogin, null],
  ["Text", { _tag: "Text", text: "hello", messageId: 5 }, needLogin, null],
]

describe("refuseWithoutRole", () => {
  for (const [label, input, whenIdle, whenAwaiting] of table) {
    for (const [flowName, session] of Object.entries(flows)) {
      const expected = flowName === "Idle" ? whenIdle : whenAwaiting
      const outcome = expected === null ? "passes" : expected === alert ? "login alert" : "needLogin"

      test(`${label}, no role, auth on, ${flowName} → ${outcome}`, () => {
        expect(refuseWithoutRole(session, ev(input, null, true))).toEqual(expected)
      })

      for (const [role, authEnabled] of [
        ["user", true],
        ["admin", true],
        [null, false],
        ["user", false],
      ] as const) {
        test(`${label}, role ${role ?? "none"}, auth ${authEnabled ? "on" : "off"}, ${flowName} → passes`, () => {
          expect(refuseWithoutRole(session, ev(input, role, authEnabled))).toBeNull()
        })
      }
    }
  }

  test("an admin closed this sender's access → told so instead of the login hint (a button: an alert)", () => {
    const revoked = (input: Input) => refuseWithoutRole(flows.Idle, ev(input, null, true), true)
    const command = (name: string): Input => ({ _tag: "Command", name, args: "", messageId: 1 })
    const closed = [Cmd.reply(authTexts.accessClosed)]
    expect(revoked(command("stats"))).toEqual(closed)
    // /start would only ask for a password that is not checked for them; /help stays open.
    expect(revoked(command("start"))).toEqual(closed)
    expect(revoked(command("help"))).toBeNull()
    const press: Input = {
      _tag: "Callback",
      queryId: "q",
      data: { _tag: "Nav", target: "menu" },
      messageId: 2,
    }
    expect(revoked(press)).toEqual([Cmd.answer("q", authTexts.accessClosedAlert, true)])
  })

  test("table → covers every Input tag", () => {
    const tags = new Set(table.map(([, input]) => input._tag))
    expect([...tags].sort()).toEqual([
      "Callback",
      "Command",
      "Feedback",
      "PasswordAttempt",
      "Rejected",
      "Text",
      "Unsupported",
      "Voice",
    ])
  })
})
