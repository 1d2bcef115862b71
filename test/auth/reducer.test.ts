import { describe, expect, test } from "bun:test"
import { reduce } from "../../src/app/reducer"
import { AUTH_COMMANDS, authReducer, LOCKOUT_MS, MAX_PASSWORD_FAILURES } from "../../src/auth/reducer"
import { authTexts } from "../../src/auth/texts"
import type { Cmd } from "../../src/core/commands"
import type { Envelope, Input, Role } from "../../src/core/model"
import { initialSession, type Session } from "../../src/core/session"
import { caseCommands } from "../../src/nav/command-menu"
import { backToMenu, mainMenu } from "../../src/nav/keyboards"
import { texts } from "../../src/nav/texts"
import { voiceInput } from "../support/updates"

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0)
const USER_ID = 4242
const FIRST_NAME = "Anna"
const USERNAME = "anna_k"

const ev = (
  input: Input,
  o: { readonly role?: Role | null; readonly now?: number; readonly authEnabled?: boolean } = {},
): Envelope => ({
  input,
  actor: {
    userId: USER_ID,
    chatId: USER_ID,
    role: o.role ?? null,
    firstName: FIRST_NAME,
    username: USERNAME,
    since: null,
  },
  now: o.now ?? NOW,
  authEnabled: o.authEnabled ?? true,
})

const command = (name: string, args = ""): Input => ({ _tag: "Command", name, args, messageId: 10 })
const attempt = (role: Role | null, messageId = 77): Input => ({ _tag: "PasswordAttempt", role, messageId })

const awaiting = (purpose: "login" | "relogin", auth: Session["auth"] = initialSession.auth): Session => ({
  ...initialSession,
  flow: { _tag: "AwaitingPassword", purpose },
  auth,
})
const login = awaiting("login")

const reply = (html: string): Cmd => ({ _tag: "Reply", html })
/** The welcome with the main menu; an admin's has the «🛠 Админ» row. */
const welcome = (isAdmin = false): Cmd => ({
  _tag: "Reply",
  html: texts.welcome(FIRST_NAME),
  keyboard: mainMenu(isAdmin),
})
const erase = (messageId = 77): Cmd => ({ _tag: "DeleteMessage", messageId })
const setRole = (role: Role | null): Cmd => ({
  _tag: "SetRole",
  userId: USER_ID,
  role,
  firstName: FIRST_NAME,
  username: USERNAME,
})

/** Feeds `count` wrong passwords starting at `now`, one second apart. */
const failTimes = (s: Session, count: number, now = NOW): Session => {
  let state = s
  for (let i = 0; i < count; i++) state = authReducer(state, ev(attempt(null), { now: now + i * 1000 }))[0]
  return state
}

describe("authReducer", () => {
  test("/start without a role → AwaitingPassword{login} and the password prompt", () => {
    expect(authReducer(initialSession, ev(command("start")))).toEqual([login, [reply(authTexts.askPassword)]])
  })

  test("/start with a role → Idle and the welcome with the main menu", () => {
    expect(authReducer(initialSession, ev(command("start"), { role: "user" }))).toEqual([
      initialSession,
      [welcome()],
    ])
  })

  test("/start with a role while a password is awaited → back to Idle with the welcome", () => {
    expect(authReducer(awaiting("relogin"), ev(command("start"), { role: "admin" }))).toEqual([
      initialSession,
      [welcome(true)],
    ])
  })

  test("/start with auth disabled and no role → Idle and the welcome, no password asked", () => {
    expect(authReducer(login, ev(command("start"), { authEnabled: false }))).toEqual([
      initialSession,
      [welcome()],
    ])
  })

  test("welcome escapes the actor's first name → the name is shown as text", () => {
    const event = ev(command("start"), { role: "user" })
    const named: Envelope = { ...event, actor: { ...event.actor, firstName: "<b>Bob</b>" } }
    const [, cmds] = authReducer(initialSession, named)
    expect(cmds).toEqual([{ _tag: "Reply", html: texts.welcome("<b>Bob</b>"), keyboard: mainMenu() }])
    expect(JSON.stringify(cmds)).toContain("&lt;b&gt;Bob&lt;/b&gt;")
  })

  for (const role of ["user", "admin"] as const) {
    test(`correct password for ${role} → DeleteMessage first, SetRole ${role}, loggedIn, welcome; failures reset`, () => {
      const before = awaiting("login", { failures: 3, lockedUntil: null })
      expect(authReducer(before, ev(attempt(role)))).toEqual([
        initialSession,
        [erase(), setRole(role), reply(authTexts.loggedIn(role)), welcome(role === "admin")],
      ])
    })
  }

  test("correct password after a re-login prompt → Idle with the new role", () => {
    expect(authReducer(awaiting("relogin"), ev(attempt("admin", 5), { role: "user" }))).toEqual([
      initialSession,
      [erase(5), setRole("admin"), reply(authTexts.loggedIn("admin")), welcome(true)],
    ])
  })

  test("wrong passwords 1..4 → failures counted and the remaining attempts announced", () => {
    let state = login
    for (let failures = 1; failures < MAX_PASSWORD_FAILURES; failures++) {
      const step = authReducer(state, ev(attempt(null), { now: NOW + failures }))
      expect(step).toEqual([
        awaiting("login", { failures, lockedUntil: null }),
        [erase(), reply(authTexts.wrongPassword(MAX_PASSWORD_FAILURES - failures))],
      ])
      state = step[0]
    }
  })

  test("wrong passwords 1..4 → Russian plural of «попытка» matches the number", () => {
    const expected = [
      "Осталось 4 попытки.",
      "Осталось 3 попытки.",
      "Осталось 2 попытки.",
      "Осталось 1 попытка.",
    ]
    let state = login
    for (const line of expected) {
      const [next, cmds] = authReducer(state, ev(attempt(null)))
      const shown = cmds[1]
      expect(shown?._tag === "Reply" ? shown.html : "").toEndWith(line)
      state = next
    }
  })

  test("5th wrong password → locked for 15 minutes, failures reset to 0, lockedOut", () => {
    const fourFailed = failTimes(login, 4)
    expect(fourFailed.auth).toEqual({ failures: 4, lockedUntil: null })
    const at = NOW + 60_000
    expect(authReducer(fourFailed, ev(attempt(null), { now: at }))).toEqual([
      awaiting("login", { failures: 0, lockedUntil: at + 15 * 60_000 }),
      [erase(), reply(authTexts.lockedOut(15))],
    ])
    expect(LOCKOUT_MS).toBe(900_000)
  })

  test("correct password while locked → only DeleteMessage and lockedOut; state unchanged", () => {
    const locked = awaiting("login", { failures: 0, lockedUntil: NOW + LOCKOUT_MS })
    expect(authReducer(locked, ev(attempt("admin"), { now: NOW + 1 }))).toEqual([
      locked,
      [erase(), reply(authTexts.lockedOut(15))],
    ])
  })

  test("wrong password while locked → the lock is not extended and failures are not counted", () => {
    const locked = awaiting("login", { failures: 0, lockedUntil: NOW + LOCKOUT_MS })
    expect(authReducer(locked, ev(attempt(null), { now: NOW + 5 * 60_000 }))).toEqual([
      locked,
      [erase(), reply(authTexts.lockedOut(10))],
    ])
  })

  test("attempts during a lock → remaining minutes rounded up", () => {
    const until = NOW + LOCKOUT_MS
    const locked = awaiting("login", { failures: 0, lockedUntil: until })
    const cases: ReadonlyArray<readonly [number, number]> = [
      [until - LOCKOUT_MS + 1, 15],
      [until - 60_001, 2],
      [until - 60_000, 1],
      [until - 1, 1],
    ]
    for (const [now, minutes] of cases) {
      expect(authReducer(locked, ev(attempt("user"), { now }))).toEqual([
        locked,
        [erase(), reply(authTexts.lockedOut(minutes))],
      ])
    }
  })

  for (const role of ["user", "admin", null] as const) {
    test(`revoked sign-in, attempt checked as ${role ?? "wrong"} → DeleteMessage and accessRevoked only; nothing counted`, () => {
      const input: Input = { _tag: "PasswordAttempt", role, messageId: 77, revoked: true }
      expect(authReducer(login, ev(input))).toEqual([login, [erase(), reply(authTexts.accessRevoked)]])
    })
  }

  test("correct password exactly at lock expiry → signed in, lock cleared", () => {
    const until = NOW + LOCKOUT_MS
    const locked = awaiting("login", { failures: 0, lockedUntil: until })
    expect(authReducer(locked, ev(attempt("user"), { now: until }))).toEqual([
      initialSession,
      [erase(), setRole("user"), reply(authTexts.loggedIn("user")), welcome()],
    ])
  })

  test("after a full lockout and its expiry → a correct password works", () => {
    const locked = failTimes(login, MAX_PASSWORD_FAILURES)
    const until = locked.auth.lockedUntil
    expect(until).toBe(NOW + 4000 + LOCKOUT_MS)
    expect(authReducer(locked, ev(attempt("admin"), { now: NOW + 4000 + LOCKOUT_MS + 1 }))).toEqual([
      initialSession,
      [erase(), setRole("admin"), reply(authTexts.loggedIn("admin")), welcome(true)],
    ])
  })

  test("wrong password after lock expiry → counting starts over at 1 and the stale lock is cleared", () => {
    const expired = awaiting("login", { failures: 0, lockedUntil: NOW - 1 })
    expect(authReducer(expired, ev(attempt(null)))).toEqual([
      awaiting("login", { failures: 1, lockedUntil: null }),
      [erase(), reply(authTexts.wrongPassword(4))],
    ])
  })

  test("/start without a role while locked → AwaitingPassword{login} and lockedOut instead of the prompt", () => {
    const locked: Session = { ...initialSession, auth: { failures: 0, lockedUntil: NOW + 3 * 60_000 } }
    expect(authReducer(locked, ev(command("start")))).toEqual([
      awaiting("login", locked.auth),
      [reply(authTexts.lockedOut(3))],
    ])
  })

  for (const name of ["relogin", "change_role"]) {
    test(`/${name} → AwaitingPassword{relogin} and the new-password prompt`, () => {
      expect(authReducer(initialSession, ev(command(name), { role: "user" }))).toEqual([
        awaiting("relogin"),
        [reply(authTexts.askNewPassword)],
      ])
    })

    test(`/${name} while locked → AwaitingPassword{relogin} and lockedOut`, () => {
      const locked: Session = { ...initialSession, auth: { failures: 0, lockedUntil: NOW + LOCKOUT_MS } }
      expect(authReducer(locked, ev(command(name), { role: "admin" }))).toEqual([
        awaiting("relogin", locked.auth),
        [reply(authTexts.lockedOut(15))],
      ])
    })

    test(`/${name} with auth disabled → authDisabled, state unchanged`, () => {
      expect(authReducer(initialSession, ev(command(name), { authEnabled: false }))).toEqual([
        initialSession,
        [reply(authTexts.authDisabled)],
      ])
    })
  }

  test("/logout with a role → Idle, SetRole null and loggedOut", () => {
    expect(authReducer(awaiting("relogin"), ev(command("logout"), { role: "admin" }))).toEqual([
      initialSession,
      [setRole(null), reply(authTexts.loggedOut)],
    ])
  })

  test("/logout without a role → Idle and notLoggedIn, no SetRole", () => {
    expect(authReducer(login, ev(command("logout")))).toEqual([
      initialSession,
      [reply(authTexts.notLoggedIn)],
    ])
  })

  test("/logout with auth disabled → authDisabled, state unchanged", () => {
    expect(authReducer(initialSession, ev(command("logout"), { role: "user", authEnabled: false }))).toEqual([
      initialSession,
      [reply(authTexts.authDisabled)],
    ])
  })

  test("a command it does not own → nothing", () => {
    expect(authReducer(login, ev(command("help")))).toEqual([login, []])
  })

  test("a non-command, non-password input → nothing", () => {
    expect(authReducer(login, ev({ _tag: "Text", text: "hello", messageId: 3 }))).toEqual([login, []])
  })

  test("AUTH_COMMANDS → exactly the commands authReducer owns", () => {
    expect([...AUTH_COMMANDS].sort()).toEqual(["change_role", "logout", "relogin", "start"])
  })
})

describe("reduce", () => {
  test("/help while AwaitingPassword → acts as the command and keeps the password flow", () => {
    expect(reduce(login, ev(command("help")))).toEqual([
      login,
      [{ _tag: "Reply", html: texts.help(false, caseCommands()), keyboard: backToMenu() }],
    ])
  })

  test("/start typed while AwaitingPassword → routed to auth (asked again), not taken as a password", () => {
    expect(reduce(login, ev(command("start")))).toEqual([login, [reply(authTexts.askPassword)]])
  })

  test("/logout while AwaitingPassword with a role → routed to auth", () => {
    expect(reduce(awaiting("relogin"), ev(command("logout"), { role: "user" }))).toEqual([
      initialSession,
      [setRole(null), reply(authTexts.loggedOut)],
    ])
  })

  test("PasswordAttempt → routed to auth", () => {
    expect(reduce(login, ev(attempt("user")))).toEqual([
      initialSession,
      [erase(), setRole("user"), reply(authTexts.loggedIn("user")), welcome()],
    ])
  })

  for (const kind of ["media", "group", "other"] as const) {
    test(`Unsupported ${kind} while AwaitingPassword → passwordAsText, flow kept`, () => {
      expect(reduce(login, ev({ _tag: "Unsupported", kind }))).toEqual([
        login,
        [reply(authTexts.passwordAsText)],
      ])
    })
  }

  test("a voice message while AwaitingPassword → passwordAsText, flow kept", () => {
    expect(reduce(login, ev(voiceInput))).toEqual([login, [reply(authTexts.passwordAsText)]])
  })

  for (const reason of ["too_short", "too_long", "too_many_lines"] as const) {
    test(`Rejected ${reason} while AwaitingPassword → passwordAsText, flow kept`, () => {
      expect(
        reduce(awaiting("relogin"), ev({ _tag: "Rejected", reason, limit: 7 }, { role: "user" })),
      ).toEqual([awaiting("relogin"), [reply(authTexts.passwordAsText)]])
    })
  }

  test("a voice message while Idle → the navigation answer for voices", () => {
    expect(reduce(initialSession, ev(voiceInput, { role: "user" }))).toEqual([
      initialSession,
      [reply(texts.unsupported.voice)],
    ])
  })

  test("Rejected while Idle → the navigation answer with the limit", () => {
    expect(reduce(initialSession, ev({ _tag: "Rejected", reason: "too_long", limit: 12000 }))).toEqual([
      initialSession,
      [reply(texts.rejected("too_long", 12000))],
    ])
  })

  test("a button press while AwaitingPassword → navigation, flow kept", () => {
    const input: Input = {
      _tag: "Callback",
      queryId: "q",
      data: { _tag: "Nav", target: "faq" },
      messageId: 9,
    }
    expect(reduce(login, ev(input))).toEqual([
      login,
      [
        { _tag: "AnswerCallback", queryId: "q" },
        { _tag: "Edit", messageId: 9, html: texts.faq(), keyboard: backToMenu() },
      ],
    ])
  })

  test("a non-auth command → routed to navigation", () => {
    expect(reduce(initialSession, ev(command("dbping"), { role: "admin" }))).toEqual([
      initialSession,
      [{ _tag: "PingDb" }],
    ])
  })
})
