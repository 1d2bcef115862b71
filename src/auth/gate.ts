import { Cmd } from "../core/commands"
import type { Envelope } from "../core/model"
import type { Session } from "../core/session"
import { authTexts } from "./texts"

// forget_me stays open: whoever has data here may delete it, signed in or not.
const OPEN_COMMANDS: ReadonlySet<string> = new Set(["start", "help", "forget_me"])

/**
 * Role enforcement. Without a role only /start, /help and the password reply get through; everything else is
 * refused with a login hint (an alert for buttons, so the spinner stops); someone whose access an admin closed
 * (`revoked`) is told that instead, since signing in cannot help them. Returns the refusal, or null to pass.
 */
export const refuseWithoutRole = (s: Session, ev: Envelope, revoked = false): ReadonlyArray<Cmd> | null => {
  const { input } = ev
  if (!ev.authEnabled || ev.actor.role !== null) return null
  const refuse = [Cmd.reply(revoked ? authTexts.accessClosed : authTexts.needLogin)]
  switch (input._tag) {
    case "Command":
      // /start would only ask for a password that is not checked for them.
      return OPEN_COMMANDS.has(input.name) && !(revoked && input.name === "start") ? null : refuse
    case "PasswordAttempt":
    case "Feedback":
      return null
    case "Callback":
      return input.data._tag === "Forget"
        ? null
        : [Cmd.answer(input.queryId, revoked ? authTexts.accessClosedAlert : authTexts.needLoginAlert, true)]
    case "Unsupported":
      return input.kind === "group" ? null : s.flow._tag === "AwaitingPassword" ? null : refuse
    default:
      return s.flow._tag === "AwaitingPassword" ? null : refuse
  }
}
