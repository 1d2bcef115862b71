import { adminReducer } from "../admin/reducer"
import { AUTH_COMMANDS, authReducer } from "../auth/reducer"
import { authTexts } from "../auth/texts"
import { broadcastReducer, leavesDraft } from "../broadcast/reducer"
import { makeRoleplayReducer } from "../cases/kernel/roleplay"
import { kernelTexts } from "../cases/kernel/texts"
import { cases } from "../cases/registry"
import { Cmd } from "../core/commands"
import type { Envelope } from "../core/model"
import { idle, type Session } from "../core/session"
import type { Step } from "../core/step"
import { homeScreen } from "../nav/home"
import { navReducer } from "../nav/reducer"
import { surveyReducer } from "../survey/reducer"

/** The role-play reducer for every registered case, set up with the app's home screen. */
export const roleplayReducer = makeRoleplayReducer({ cases, home: (ev) => [homeScreen(ev)] })

/**
 * The root reducer: routes an event to the feature that owns it (sign-in, the role-play cases, navigation). Pure: returns the next state and the commands
 * to run; runs nothing and never throws. Commands always win over the current flow (typing /help while asked for
 * a password shows help; the original treated it as a password).
 */
export const reduce = (current: Session, ev: Envelope): Step => {
  const { input } = ev
  const s = leavesDraft(current, ev) ? { ...current, flow: idle } : current
  if (input._tag === "PasswordAttempt") return authReducer(s, ev)
  // /start in a dialogue with the learner's words asks first (continue / finish / drop) instead of dropping it.
  const askedFirst = input._tag === "Command" && input.name === "start" ? roleplayReducer(s, ev) : null
  if (askedFirst) return askedFirst
  if (input._tag === "Command" && AUTH_COMMANDS.has(input.name)) return closingDialogue(s, authReducer(s, ev))
  const routed =
    adminReducer(s, ev) ?? broadcastReducer(s, ev) ?? roleplayReducer(s, ev) ?? surveyReducer(s, ev)
  if (routed) return routed
  if (
    s.flow._tag === "AwaitingPassword" &&
    (input._tag === "Unsupported" || input._tag === "Rejected" || input._tag === "Voice")
  )
    return [s, [Cmd.reply(authTexts.passwordAsText)]]
  return navReducer(s, ev)
}

/** Leaving a dialogue by a command (/start, /logout…) also takes its reply keyboard away. */
const closingDialogue = (s: Session, [next, cmds]: Step) =>
  s.flow._tag === "Case" && next.flow._tag !== "Case"
    ? ([next, [Cmd.reply(kernelTexts.left, { _tag: "RemoveReply" }), ...cmds]] as const)
    : ([next, cmds] as const)
