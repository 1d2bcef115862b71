import { Effect } from "effect"
import type { Feedback } from "../core/model"
import type { Handlers } from "../pipeline/command-handler"
import { Db } from "../services/db"
import { findNudges, saveNudges } from "./settings.repo"

export const settingsHandlers: Handlers<"LoadSettings" | "SaveNudges"> = {
  LoadSettings: (cmd, { origin }) =>
    Effect.gen(function* () {
      const nudges = yield* (yield* Db).use("findNudges", (k) => findNudges(k, origin.userId))
      return { _tag: "SettingsLoaded", nudges, messageId: cmd.messageId } as Feedback
    }),
  SaveNudges: (cmd, { origin }) =>
    Effect.gen(function* () {
      yield* (yield* Db).use("saveNudges", (k) => saveNudges(k, origin.userId, cmd.on))
      return { _tag: "SettingsLoaded", nudges: cmd.on, messageId: cmd.messageId } as Feedback
    }),
}
