import type { Effect } from "effect"
import type { Cmd } from "../core/commands"
import type { Feedback } from "../core/model"
import type { DbError } from "../services/db"
import type { TelegramError } from "../services/telegram"
import type { Origin } from "./decode"
import type { Deps } from "./deps"

/** The chat a command runs in, and whose update asked for it. */
export interface Here {
  readonly chatId: number
  readonly origin: Origin
}

/**
 * How each command of a feature runs: a feedback event when the reducer needs the result, null otherwise.
 * Network and 5xx failures propagate, so the row is retried from this command.
 */
export type Handlers<Tag extends Cmd["_tag"]> = {
  readonly [K in Tag]: (
    cmd: Extract<Cmd, { _tag: K }>,
    here: Here,
  ) => Effect.Effect<Feedback | null, DbError | TelegramError, Deps>
}
