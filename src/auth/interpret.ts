import { Effect } from "effect"
import { botCommands } from "../nav/command-menu"
import type { Handlers } from "../pipeline/command-handler"
import { tolerate } from "../pipeline/interpret-chat"
import { Db } from "../services/db"
import { Telegram } from "../services/telegram"
import { deleteRole, upsertRole } from "./roles.repo"

export const authHandlers: Handlers<"SetRole"> = {
  /** The sender's role after a sign-in or sign-out; their command menu follows it (an admin sees admin commands). */
  SetRole: (cmd, { chatId }) =>
    Effect.gen(function* () {
      const db = yield* Db
      const role = cmd.role
      yield* role
        ? db.use("setRole", (k) => upsertRole(k, { ...cmd, role }))
        : db.use("deleteRole", (k) => deleteRole(k, cmd.userId))
      const menu = role === "admin" ? botCommands(true) : null
      yield* tolerate(cmd._tag, (yield* Telegram).setChatCommands(chatId, menu))
      return null
    }),
}
