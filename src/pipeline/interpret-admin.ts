import { Effect } from "effect"
import { InputFile } from "grammy"
import { statsChartSvg } from "../admin/chart"
import { loadAdminStats } from "../admin/stats.repo"
import { adminTexts } from "../admin/texts"
import { countOtherAdmins, findUsers, forgetUser, resolveUser } from "../admin/users.repo"
import { deleteRole, findUser, upsertRole } from "../auth/roles.repo"
import type { Cmd } from "../core/commands"
import type { Feedback, RoleChangeOutcome } from "../core/model"
import { botCommands } from "../nav/command-menu"
import { isKnownUser, setRevoked } from "../repositories/limits.repo"
import { Charts } from "../services/charts"
import { Db } from "../services/db"
import { Telegram } from "../services/telegram"
import type { Origin } from "./decode"

export type AdminCmd = Extract<
  Cmd,
  { _tag: "LoadAdminStats" | "SendStatsChart" | "LoadUsers" | "ChangeRole" | "ForgetMe" }
>

const changeRole = (cmd: Extract<Cmd, { _tag: "ChangeRole" }>, adminId: number) =>
  Effect.gen(function* () {
    const db = yield* Db
    const tg = yield* Telegram
    const feedback = (outcome: RoleChangeOutcome, userId: number | null = null): Feedback => ({
      _tag: "RoleChanged",
      target: cmd.target,
      role: cmd.role,
      outcome,
      userId,
    })
    const resolved = yield* db.use("resolveUser", (k) => resolveUser(k, cmd.target))
    if (resolved._tag !== "Found") return feedback(resolved._tag === "Ambiguous" ? "ambiguous" : "not_found")
    const { userId } = resolved
    const known = yield* db.use("findUser", (k) => findUser(k, userId))
    // A revocation needs someone the bot has heard from; a role may be granted ahead of the first visit.
    if (cmd.role === "none" && !known && !(yield* db.use("isKnownUser", (k) => isKnownUser(k, userId))))
      return feedback("not_found")
    if (userId === adminId && cmd.role !== "admin" && known?.role === "admin")
      if ((yield* db.use("otherAdmins", (k) => countOtherAdmins(k, userId))) === 0)
        return feedback("last_admin")
    // Revoked: the role goes and the shared password no longer signs them in, until an admin grants a role again.
    yield* db.use("setRole", (k) =>
      k.transaction().execute(async (trx) => {
        if (cmd.role === "none") await deleteRole(trx, userId)
        else
          await upsertRole(trx, {
            userId,
            role: cmd.role,
            firstName: known?.first_name ?? "",
            username: known?.username ?? null,
          })
        await setRevoked(trx, userId, cmd.role === "none")
      }),
    )
    // The target's command menu follows the new role (an admin sees the admin commands).
    yield* Effect.ignore(tg.setChatCommands(userId, cmd.role === "admin" ? botCommands(true) : null))
    return feedback("done", userId)
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
        return yield* changeRole(cmd, origin.userId)
      case "ForgetMe":
        yield* db.use("forgetUser", (k) => forgetUser(k, origin.userId))
        return null
    }
  })
