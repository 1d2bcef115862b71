import type { Effect } from "effect"
import { adminHandlers } from "../admin/interpret"
import { authHandlers } from "../auth/interpret"
import { broadcastHandlers } from "../broadcast/interpret"
import type { Cmd } from "../core/commands"
import type { Feedback } from "../core/model"
import { navHandlers } from "../nav/interpret"
import { settingsHandlers } from "../nudges/interpret"
import { roleplayHandlers } from "../roleplay/interpret"
import type { DbError } from "../services/db"
import type { TelegramError } from "../services/telegram"
import { surveyHandlers } from "../survey/interpret"
import type { Handlers } from "./command-handler"
import type { Origin } from "./decode"
import type { Deps } from "./deps"
import { chatHandlers } from "./interpret-chat"
import type { WorkCmd } from "./work"

type InPlace = Exclude<Cmd, WorkCmd>

/** Every command run in place, by the feature that owns it. A command without a handler does not compile. */
const handlers = {
  ...chatHandlers,
  ...authHandlers,
  ...navHandlers,
  ...surveyHandlers,
  ...roleplayHandlers,
  ...adminHandlers,
  ...broadcastHandlers,
  ...settingsHandlers,
} satisfies Handlers<InPlace["_tag"]>

type AnyHandler = (
  cmd: InPlace,
  here: { chatId: number; origin: Origin },
) => Effect.Effect<Feedback | null, DbError | TelegramError, Deps>

/**
 * Runs one command against Telegram or the database (work that outlives a statement goes through work.ts instead).
 * Returns a feedback event for the reducer when the command has a result the reducer needs; network/5xx failures
 * propagate so the row is retried from this command.
 */
export const interpret = (chatId: number, origin: Origin, cmd: InPlace) =>
  (handlers[cmd._tag] as AnyHandler)(cmd, { chatId, origin })
