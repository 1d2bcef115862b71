import { AUTH_COMMANDS, authReducer } from "./auth"
import { Cmd } from "./commands"
import type { AppEvent } from "./model"
import { navReducer } from "./nav"
import type { Session } from "./session"
import { texts } from "./texts"

/**
 * The root reducer: routes an event to the feature that owns it. Pure: returns the next state and the commands
 * to run; runs nothing and never throws. Commands always win over the current flow (typing /help while asked for
 * a password shows help; the original treated it as a password).
 */
export const reduce = (s: Session, ev: AppEvent): readonly [Session, ReadonlyArray<Cmd>] => {
  const { input } = ev
  if (input._tag === "PasswordAttempt") return authReducer(s, ev)
  if (input._tag === "Command") return AUTH_COMMANDS.has(input.name) ? authReducer(s, ev) : navReducer(s, ev)
  if (s.flow._tag === "AwaitingPassword" && (input._tag === "Unsupported" || input._tag === "Rejected"))
    return [s, [Cmd.reply(texts.passwordAsText)]]
  return navReducer(s, ev)
}
