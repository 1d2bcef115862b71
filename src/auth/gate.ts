import { Cmd } from "../core/commands"
import type { Envelope } from "../core/model"
import type { Session } from "../core/session"
import { authTexts } from "./texts"

// forget_me stays open: whoever has data here may delete it, signed in or not.
const OPEN_COMMANDS: ReadonlySet<string> = new Set(["start", "help", "forget_me"])

/**
 * Role enforcement. Without a role only /start, /help and the password reply get through; everything else is
 * refused with a login hint (an alert for buttons, so the spinner stops). Returns the refusal, or null to pass.
 */
export const refuseWithoutRole = (s: Session, ev: Envelope): ReadonlyArray<Cmd> | null => {
  const { input } = ev
  if (!ev.authEnabled || ev.actor.role !== null) return null
  switch (input._tag) {
    case "Command":
      return OPEN_COMMANDS.has(input.name) ? null : [Cmd.reply(authTexts.needLogin)]
    case "PasswordAttempt":
    case "Feedback":
      return null
    case "Callback":
      return input.data._tag === "Forget" ? null : [Cmd.answer(input.queryId, authTexts.needLoginAlert, true)]
    case "Unsupported":
      return input.kind === "group"
        ? null
        : s.flow._tag === "AwaitingPassword"
          ? null
          : [Cmd.reply(authTexts.needLogin)]
    default:
      return s.flow._tag === "AwaitingPassword" ? null : [Cmd.reply(authTexts.needLogin)]
  }
}
