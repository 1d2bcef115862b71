import { adminReducer } from "../admin/reducer"
import { AUTH_COMMANDS, authReducer } from "../auth/reducer"
import { authTexts } from "../auth/texts"
import { broadcastReducer, leavesDraft } from "../broadcast/reducer"
import { broadcastTexts } from "../broadcast/texts"
import { makeRoleplayReducer } from "../cases/kernel/roleplay"
import { kernelTexts } from "../cases/kernel/texts"
import { cases } from "../cases/registry"
import { Cmd } from "../core/commands"
import type { Envelope } from "../core/model"
import { idle, type Session } from "../core/session"
import type { Step } from "../core/step"
import { menuScreen } from "../nav/home"
import { navReducer } from "../nav/reducer"
import { settingsReducer } from "../nudges/reducer"
import { surveyReducer } from "../survey/reducer"

/** The role-play reducer for every registered case, set up with the app's home screen. */
export const roleplayReducer = makeRoleplayReducer({ cases, home: (ev) => [menuScreen(ev)] })

type Feature = (s: Session, ev: Envelope) => Step | null

/** The password reply goes to sign-in, whatever else is going on. */
const signIn: Feature = (s, ev) => (ev.input._tag === "PasswordAttempt" ? authReducer(s, ev) : null)

/** /start in a dialogue with the learner's words asks first (continue / finish / drop) instead of dropping it. */
const leavingDialogue: Feature = (s, ev) =>
  ev.input._tag === "Command" && ev.input.name === "start" ? roleplayReducer(s, ev) : null

/** /start, /logout, /relogin…: a dialogue left this way also loses its reply keyboard. */
const accountCommands: Feature = (s, ev) =>
  ev.input._tag === "Command" && AUTH_COMMANDS.has(ev.input.name)
    ? closingDialogue(s, authReducer(s, ev))
    : null

/** While the password is asked, anything but text is told to be text. */
const passwordAsText: Feature = (s, ev) =>
  s.flow._tag === "AwaitingPassword" &&
  (ev.input._tag === "Unsupported" || ev.input._tag === "Rejected" || ev.input._tag === "Voice")
    ? [s, [Cmd.reply(authTexts.passwordAsText)]]
    : null

/** The features in order of precedence: the first that owns the event answers it; navigation answers the rest. */
// biome-ignore format: one feature per line, in order, is the point of this list
const features: ReadonlyArray<Feature> = [
  signIn,
  leavingDialogue,
  accountCommands,
  adminReducer,       // admin commands, and /forget_me for everyone
  broadcastReducer,   // composing, scheduling and stopping broadcasts
  roleplayReducer,    // the cases: cards, dialogues, reviews
  surveyReducer,      // the survey about the bot
  settingsReducer,    // /settings: the weekly practice reminder
  passwordAsText,
]

/**
 * The root reducer. Pure: returns the next state and the commands to run; runs nothing and never throws. Commands
 * always win over the current flow (typing /help while asked for a password shows help; the original treated it as
 * a password). A broadcast draft is left by whatever is not part of it.
 */
export const reduce = (current: Session, ev: Envelope): Step => {
  if (!leavesDraft(current, ev)) return route(current, ev)
  // The admin is told the draft is gone (nothing was sent) before the command they typed is answered.
  const [next, cmds] = route({ ...current, flow: idle }, ev)
  return [next, [Cmd.reply(broadcastTexts.draftLeft), ...cmds]]
}

const route = (s: Session, ev: Envelope): Step => {
  for (const feature of features) {
    const step = feature(s, ev)
    if (step) return step
  }
  return navReducer(s, ev)
}

/** Leaving a dialogue by a command (/start, /logout…) also takes its reply keyboard away. */
const closingDialogue = (s: Session, [next, cmds]: Step): Step =>
  // After the review the dialogue is over and its keyboard gone already: nothing to announce.
  s.flow._tag === "Case" && s.flow.attempt.phase !== "Reviewed" && next.flow._tag !== "Case"
    ? [next, [Cmd.reply(kernelTexts.left, { _tag: "RemoveReply" }), ...cmds]]
    : [next, cmds]
