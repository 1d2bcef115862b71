import { Cmd } from "../core/commands"
import type { Envelope } from "../core/model"
import { mainMenu } from "./keyboards"
import { texts } from "./texts"

/** The home screen: the welcome with the main menu. */
export const homeScreen = (ev: Envelope): Cmd =>
  Cmd.reply(texts.welcome(ev.actor.firstName), mainMenu(ev.actor.role === "admin"))
