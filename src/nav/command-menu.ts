import { adminTexts } from "../admin/texts"
import { cases } from "../cases/registry"
import { plainTitle } from "../core/texts"
import { texts } from "./texts"

/** The case commands, one per registered case: `/aidemo — Обратная связь подчинённому`. */
export const caseCommands = () =>
  cases.map((c) => ({
    command: c.commands.start,
    stop: c.commands.stop,
    description: plainTitle(c.texts.title),
  }))

/** A part of the command menu as Telegram takes it: `{ command, description }` in order. */
export const menu = (commands: Readonly<Record<string, string>>) =>
  Object.entries(commands).map(([command, description]) => ({ command, description }))

/** Telegram's command menu: navigation first, then the cases, then the account commands. */
export const botCommands = (isAdmin = false) => {
  const [start, help, faq, ...account] = menu(texts.commands)
  const trainings = caseCommands().map(({ command, description }) => ({ command, description }))
  return [start, help, faq, ...trainings, ...account, ...(isAdmin ? menu(adminTexts.commands) : [])].filter(
    (c): c is { command: string; description: string } => c !== undefined,
  )
}
