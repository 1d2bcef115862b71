import { Effect } from "effect"
import { InputFile } from "grammy"
import { findUser } from "../auth/roles.repo"
import type { Cmd } from "../core/commands"
import type { Feedback, RoleChangeOutcome } from "../core/model"
import { botCommands } from "../nav/command-menu"
import type { Handlers } from "../pipeline/command-handler"
import { tolerate } from "../pipeline/interpret-chat"
import { isKnownUser } from "../repositories/limits.repo"
import { Charts } from "../services/charts"
import { Db } from "../services/db"
import { Settings } from "../services/settings"
import { Telegram } from "../services/telegram"
import { statsChartSvg } from "./chart"
import { loadAdminStats } from "./stats.repo"
import { adminTexts } from "./texts"
import { findUserCard } from "./user-card.repo"
import { changeRole, countOtherAdmins, findUsers, forgetUser, resolveUser } from "./users.repo"

const roleChange = (cmd: Extract<Cmd, { _tag: "ChangeRole" }>, adminId: number) =>
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
    if (cmd.role !== "none" && known?.role === cmd.role) return feedback("unchanged", userId)
    if (userId === adminId && cmd.role !== "admin" && known?.role === "admin")
      if ((yield* db.use("otherAdmins", (k) => countOtherAdmins(k, userId))) === 0)
        return feedback("last_admin")
    yield* db.use("setRole", (k) => changeRole(k, userId, cmd.role, known))
    // The target's command menu follows the new role (an admin sees the admin commands).
    yield* Effect.ignore(tg.setChatCommands(userId, cmd.role === "admin" ? botCommands(true) : null))
    return feedback("done", userId)
  })

/** Admin and privacy commands: DB reads answered as feedback, the chart sent as a photo. */
export const adminHandlers: Handlers<
  | "LoadAdminStats"
  | "SendStatsChart"
  | "LoadUsers"
  | "LoadUserCard"
  | "NotifyUser"
  | "ChangeRole"
  | "ForgetMe"
> = {
  LoadUserCard: (cmd) =>
    Effect.gen(function* () {
      const card = yield* (yield* Db).use("findUserCard", (k) => findUserCard(k, cmd.userId))
      const { userId, messageId, page = 0 } = cmd
      return { _tag: "UserCardLoaded", userId, messageId, page, card } as Feedback
    }),
  // Someone who blocked the bot (403) or never opened it (400) cannot be told: the admin hears that it failed.
  NotifyUser: (cmd) =>
    Effect.gen(function* () {
      let delivered = false
      const send = (yield* Telegram).send(cmd.userId, cmd.html)
      yield* tolerate(
        cmd._tag,
        Effect.tap(send, () => Effect.sync(() => (delivered = true))),
      )
      return delivered ? null : ({ _tag: "NotifyFailed", userId: cmd.userId } as Feedback)
    }),
  LoadAdminStats: () =>
    Effect.gen(function* () {
      const { config } = yield* Settings
      const stats = yield* (yield* Db).use("adminStats", (k) =>
        loadAdminStats(k, config.env.APSCHEDULER_TIMEZONE),
      )
      return { _tag: "AdminStatsLoaded", stats } as Feedback
    }),
  SendStatsChart: (cmd, { chatId }) =>
    Effect.gen(function* () {
      const png = yield* (yield* Charts).png(statsChartSvg(cmd.stats))
      yield* (yield* Telegram).sendPhoto(chatId, new InputFile(png, "stats.png"), adminTexts.chartCaption)
      return null
    }),
  LoadUsers: (cmd) =>
    Effect.gen(function* () {
      const { users, total, page } = yield* (yield* Db).use("findUsers", (k) =>
        findUsers(k, cmd.query, cmd.page ?? 0),
      )
      return {
        _tag: "UsersLoaded",
        users,
        total,
        query: cmd.query,
        page,
        messageId: cmd.messageId ?? null,
      } as Feedback
    }),
  ChangeRole: (cmd, { origin }) => roleChange(cmd, origin.userId),
  ForgetMe: (_cmd, { origin }) =>
    Effect.gen(function* () {
      yield* (yield* Db).use("forgetUser", (k) => forgetUser(k, origin.userId))
      return null
    }),
}
