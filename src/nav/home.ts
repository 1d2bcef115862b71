import { Cmd } from "../core/commands"
import type { Envelope } from "../core/model"
import { mainMenu } from "./keyboards"
import { texts } from "./texts"

/** The home screen: the welcome with the main menu (/start, a first sign-in). */
export const homeScreen = (ev: Envelope): Cmd =>
  Cmd.reply(texts.welcome(ev.actor.firstName), mainMenu(ev.actor.role === "admin"))

/** Back to the main menu from somewhere in the bot: the short menu; the welcome is not repeated. */
export const menuScreen = (ev: Envelope): Cmd => Cmd.reply(texts.menu, mainMenu(ev.actor.role === "admin"))
