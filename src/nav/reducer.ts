import { authTexts } from "../auth/texts"
import { Cmd } from "../core/commands"
import { DEFAULT_TIME_ZONE } from "../core/dates"
import type { Envelope } from "../core/model"
import type { Session } from "../core/session"
import type { Step } from "../core/step"
import { caseCommands } from "./command-menu"
import { historyReducer } from "./history-reducer"
import { backToMenu, mainMenu } from "./keyboards"
import { texts } from "./texts"

const onCommand = (s: Session, ev: Envelope, name: string): Step => {
  const isAdmin = ev.actor.role === "admin"
  switch (name) {
    case "help":
      return [s, [Cmd.reply(texts.help(isAdmin, caseCommands(), ev.supportContact), backToMenu())]]
    case "faq":
      return [s, [Cmd.reply(texts.faq(ev.dialogueRetentionDays, ev.supportContact), backToMenu())]]
    case "whoami":
      return [
        s,
        [
          Cmd.reply(
            authTexts.whoami(
              ev.actor.role,
              ev.actor.userId,
              ev.actor.since,
              ev.timeZone ?? DEFAULT_TIME_ZONE,
            ),
          ),
        ],
      ]
    case "dbping":
      return [s, [isAdmin ? Cmd.pingDb : Cmd.reply(texts.adminOnly)]]
    default:
      return [s, [Cmd.reply(texts.unknownCommand)]]
  }
}

/** Menu, help, FAQ, diagnostics and the fallbacks. Pure: returns the next state and commands; runs nothing. */
export const navReducer = (s: Session, ev: Envelope): Step => {
  const history = historyReducer(s, ev)
  if (history) return history
  const { input } = ev
  switch (input._tag) {
    case "Command":
      return onCommand(s, ev, input.name)
    case "Callback": {
      const { data, queryId, messageId } = input
      if (data._tag !== "Nav") return [s, [Cmd.answer(queryId, texts.staleButton, true)]]
      const screen =
        data.target === "menu"
          ? { html: texts.menu, keyboard: mainMenu(ev.actor.role === "admin") }
          : {
              html:
                data.target === "faq"
                  ? texts.faq(ev.dialogueRetentionDays, ev.supportContact)
                  : texts.help(ev.actor.role === "admin", caseCommands(), ev.supportContact),
              keyboard: backToMenu(),
            }
      const show =
        messageId === null
          ? Cmd.reply(screen.html, screen.keyboard)
          : Cmd.edit(messageId, screen.html, screen.keyboard)
      return [s, [Cmd.answer(queryId), show]]
    }
    case "Feedback": {
      const event = input.event
      // Late answers for a dialogue that is no longer open end here, silently.
      return event._tag === "DbPinged" ? [s, [Cmd.reply(texts.dbPing(event.ok, event.ms))]] : [s, []]
    }
    case "Voice":
      return [s, [Cmd.reply(texts.unsupported.voice)]]
    case "Unsupported":
      return [s, [Cmd.reply(texts.unsupported[input.kind])]]
    case "Rejected":
      return [s, [Cmd.reply(texts.rejected(input.reason, input.limit))]]
    case "Text":
      return [s, [Cmd.reply(texts.fallback, mainMenu(ev.actor.role === "admin"))]]
    case "PasswordAttempt":
      return [s, []]
  }
}
