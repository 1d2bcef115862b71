import { button, callbackData } from "./callback-data"
import { inline, type Keyboard } from "./commands"
import { texts } from "./texts"

/** The main menu. Case rows are added by the case registry as cases land; the help row is always there. */
export const mainMenu = (): Keyboard =>
  inline([
    button(texts.buttons.faq, callbackData.nav("faq")),
    button(texts.buttons.help, callbackData.nav("help")),
  ])

export const backToMenu = (): Keyboard => inline([button(texts.buttons.menu, callbackData.nav("menu"))])
