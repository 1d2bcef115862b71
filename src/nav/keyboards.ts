import { cases } from "../cases/registry"
import { button, callbackData } from "../core/callback-data"
import { inline, type Keyboard } from "../core/commands"
import { texts } from "./texts"

/** The main menu: one row per registered case, then help and the survey; for an admin, the way to the admin menu. */
export const mainMenu = (isAdmin = false): Keyboard =>
  inline(
    ...cases.map((c) => [button(c.texts.title, callbackData.caseCard(c.id))]),
    [
      button(texts.buttons.faq, callbackData.nav("faq")),
      button(texts.buttons.help, callbackData.nav("help")),
    ],
    [
      button(texts.buttons.results, callbackData.nav("results")),
      button(texts.buttons.rate, callbackData.surveyOpen),
    ],
    ...(isAdmin ? [[button(texts.buttons.admin, callbackData.admin("menu"))]] : []),
  )

export const backToMenu = (): Keyboard => inline([button(texts.buttons.menu, callbackData.nav("menu"))])
