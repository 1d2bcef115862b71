import { button, callbackData } from "../core/callback-data"
import { Cmd, inline } from "../core/commands"
import { DEFAULT_TIME_ZONE } from "../core/dates"
import type { Envelope } from "../core/model"
import type { Session } from "../core/session"
import type { Step } from "../core/step"
import { texts } from "../nav/texts"
import { DEFAULT_NUDGE_SCHEDULE, nudgeTexts as t, whenText } from "./texts"

const settingsScreen = (on: boolean, ev: Envelope) => ({
  html: t.settings(
    on,
    whenText(ev.nudgeSchedule ?? DEFAULT_NUDGE_SCHEDULE, ev.timeZone ?? DEFAULT_TIME_ZONE),
  ),
  keyboard: inline(
    [button(on ? t.off : t.on, callbackData.nudges(!on))],
    [button(texts.buttons.menu, callbackData.nav("menu"))],
  ),
})

/** /settings and its switch: the weekly practice reminder, opt-in. Pure; null for anything else. */
export const settingsReducer = (s: Session, ev: Envelope): Step | null => {
  const { input } = ev
  if (input._tag === "Command" && input.name === "settings")
    return [s, [{ _tag: "LoadSettings", messageId: null }]]
  if (input._tag === "Callback" && input.data._tag === "Nudges") {
    const { on } = input.data
    return [
      s,
      [
        Cmd.answer(input.queryId, on ? t.turnedOn : t.turnedOff),
        { _tag: "SaveNudges", on, messageId: input.messageId },
      ],
    ]
  }
  if (input._tag === "Feedback" && input.event._tag === "SettingsLoaded") {
    const { nudges, messageId } = input.event
    const screen = settingsScreen(nudges, ev)
    return [
      s,
      [
        messageId === null
          ? Cmd.reply(screen.html, screen.keyboard)
          : Cmd.edit(messageId, screen.html, screen.keyboard),
      ],
    ]
  }
  return null
}
