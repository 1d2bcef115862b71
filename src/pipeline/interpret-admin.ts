import { Effect } from "effect"
import { InputFile } from "grammy"
import { statsChartSvg } from "../admin/chart"
import { loadAdminStats } from "../admin/stats.repo"
import { adminTexts } from "../admin/texts"
import { findUsers, forgetUser, resolveUser } from "../admin/users.repo"
import { botCommands } from "../app/command-menu"
import type { Cmd } from "../app/commands"
import type { Feedback } from "../app/model"
import { deleteRole, upsertRole } from "../repositories/users.repo"
import { Charts } from "../services/charts"
import { Db } from "../services/db"
import { Telegram } from "../services/telegram"
import type { Origin } from "./decode"

export type AdminCmd = Extract<
  Cmd,
  { _tag: "LoadAdminStats" | "SendStatsChart" | "LoadUsers" | "ChangeRole" | "ForgetMe" }
>

const changeRole = (cmd: Extract<Cmd, { _tag: "ChangeRole" }>) =>
  Effect.gen(function* () {
    const db = yield* Db
    const tg = yield* Telegram
    const userId = yield* db.use("resolveUser", (k) => resolveUser(k, cmd.target))
    const known =
      userId === null
        ? undefined
        : yield* db.use("findUser", (k) =>
            k
              .selectFrom("authorized_users")
              .select(["first_name", "username"])
              .where("user_id", "=", userId)
              .executeTakeFirst(),
          )
    const feedback = (found: boolean): Feedback => ({
      _tag: "RoleChanged",
      target: cmd.target,
      role: cmd.role,
      found,
    })
    if (userId === null || (cmd.role === "none" && !known)) return feedback(false)
    if (cmd.role === "none") yield* db.use("deleteRole", (k) => deleteRole(k, userId))
    else
      yield* db.use("setRole", (k) =>
        upsertRole(k, {
          userId,
          role: cmd.role as "user" | "admin",
          firstName: known?.first_name ?? "",
          username: known?.username ?? null,
        }),
      )
    // The target's command menu follows the new role (an admin sees the admin commands).
    yield* Effect.ignore(tg.setChatCommands(userId, cmd.role === "admin" ? botCommands(true) : null))
    return feedback(true)
  })

/** Admin and privacy commands: DB reads answered as feedback, the chart sent as a photo. */
export const interpretAdmin = (chatId: number, origin: Origin, cmd: AdminCmd) =>
  Effect.gen(function* () {
    const db = yield* Db
    switch (cmd._tag) {
      case "LoadAdminStats": {
        const stats = yield* db.use("adminStats", loadAdminStats)
        return { _tag: "AdminStatsLoaded", stats } as Feedback
      }
      case "SendStatsChart": {
        const png = yield* (yield* Charts).png(statsChartSvg(cmd.stats))
        yield* (yield* Telegram).sendPhoto(chatId, new InputFile(png, "stats.png"), adminTexts.chartCaption)
        return null
      }
      case "LoadUsers": {
        const users = yield* db.use("findUsers", (k) => findUsers(k, cmd.query))
        return { _tag: "UsersLoaded", users } as Feedback
      }
      case "ChangeRole":
        return yield* changeRole(cmd)
      case "ForgetMe":
        yield* db.use("forgetUser", (k) => forgetUser(k, origin.userId))
        return null
    }
  })
