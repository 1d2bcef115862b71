import { Cmd } from "../core/commands"
import type { Envelope, Role } from "../core/model"
import { idle, type Session } from "../core/session"
import type { Step } from "../core/step"
import { homeScreen } from "../nav/home"
import { authTexts } from "./texts"

export const MAX_PASSWORD_FAILURES = 5
export const LOCKOUT_MS = 15 * 60_000

/** Whole minutes the sign-in stays locked, rounded up; null when it is not locked. */
export const lockoutMinutesLeft = (auth: Session["auth"], now: number): number | null =>
  auth.lockedUntil !== null && auth.lockedUntil > now ? Math.ceil((auth.lockedUntil - now) / 60_000) : null

const lockLeftMin = (s: Session, now: number): number | null => lockoutMinutesLeft(s.auth, now)

const askPassword = (s: Session, ev: Envelope, purpose: "login" | "relogin"): Step => {
  const left = lockLeftMin(s, ev.now)
  const flow = { _tag: "AwaitingPassword", purpose } as const
  if (left !== null) return [{ ...s, flow }, [Cmd.reply(authTexts.lockedOut(left))]]
  return [{ ...s, flow }, [Cmd.reply(purpose === "login" ? authTexts.askPassword : authTexts.askNewPassword)]]
}

const signedIn = (s: Session, ev: Envelope, role: Role): Step => [
  { ...s, flow: idle, auth: { failures: 0, lockedUntil: null } },
  [
    {
      _tag: "SetRole",
      userId: ev.actor.userId,
      role,
      firstName: ev.actor.firstName,
      username: ev.actor.username,
    },
    Cmd.reply(authTexts.loggedIn(role)),
    homeScreen({ ...ev, actor: { ...ev.actor, role } }),
  ],
]

const wrongPassword = (s: Session, ev: Envelope): Step => {
  const failures = s.auth.failures + 1
  if (failures >= MAX_PASSWORD_FAILURES) {
    const auth = { failures: 0, lockedUntil: ev.now + LOCKOUT_MS }
    return [{ ...s, auth }, [Cmd.reply(authTexts.lockedOut(LOCKOUT_MS / 60_000))]]
  }
  const auth = { failures, lockedUntil: null }
  return [{ ...s, auth }, [Cmd.reply(authTexts.wrongPassword(MAX_PASSWORD_FAILURES - failures))]]
}

/**
 * Sign-in, re-login and logout. Pure: returns the next state and the commands to run; runs nothing.
 * The password itself never gets here: the pipeline verifies it and passes only the matching role.
 */
export const authReducer = (s: Session, ev: Envelope): Step => {
  const { input, actor } = ev
  if (input._tag === "PasswordAttempt") {
    const erase = Cmd.delete(input.messageId)
    // The same answer whatever was typed: a revoked user learns nothing about the password.
    if (input.revoked) return [s, [erase, Cmd.reply(authTexts.accessRevoked)]]
    const left = lockLeftMin(s, ev.now)
    const [next, cmds] =
      left !== null
        ? ([s, [Cmd.reply(authTexts.lockedOut(left))]] as Step)
        : input.role
          ? signedIn(s, ev, input.role)
          : wrongPassword(s, ev)
    return [next, [erase, ...cmds]]
  }
  if (input._tag !== "Command") return [s, []]
  switch (input.name) {
    case "start":
      if (!ev.authEnabled || actor.role) return [{ ...s, flow: idle }, [homeScreen(ev)]]
      return askPassword(s, ev, "login")
    case "relogin":
    case "change_role":
      return ev.authEnabled ? askPassword(s, ev, "relogin") : [s, [Cmd.reply(authTexts.authDisabled)]]
    case "logout":
      if (!ev.authEnabled) return [s, [Cmd.reply(authTexts.authDisabled)]]
      if (!actor.role) return [{ ...s, flow: idle }, [Cmd.reply(authTexts.notLoggedIn)]]
      return [
        { ...s, flow: idle },
        [
          {
            _tag: "SetRole",
            userId: actor.userId,
            role: null,
            firstName: actor.firstName,
            username: actor.username,
          },
          Cmd.reply(authTexts.loggedOut),
        ],
      ]
    default:
      return [s, []]
  }
}

export const AUTH_COMMANDS: ReadonlySet<string> = new Set(["start", "relogin", "change_role", "logout"])
