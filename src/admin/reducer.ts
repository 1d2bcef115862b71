import { button, callbackData } from "../core/callback-data"
import { Cmd, inline } from "../core/commands"
import { DEFAULT_TIME_ZONE } from "../core/dates"
import type { Envelope, Feedback } from "../core/model"
import type { Session } from "../core/session"
import type { Step } from "../core/step"
import { sharedTexts } from "../core/texts"
import { exportTexts } from "../export/export-texts"
import { backToMenu } from "../nav/keyboards"
import { texts } from "../nav/texts"
import { renderUserCard, renderUsers, roleName } from "./people"
import { renderStats } from "./render"
import { adminTexts as t } from "./texts"

const ADMIN_COMMANDS: ReadonlySet<string> = new Set(["admin", "stats", "users", "setrole", "export"])
const ROLES = ["user", "admin", "none"] as const

const adminMenu = () =>
  inline(
    [
      button(t.buttons.stats, callbackData.admin("stats")),
      button(t.buttons.users, callbackData.admin("users")),
    ],
    [button(t.buttons.xlsx, callbackData.admin("xlsx")), button(t.buttons.csv, callbackData.admin("csv"))],
    [button(t.buttons.broadcasts, callbackData.broadcast("list"))],
    [button(texts.buttons.menu, callbackData.nav("menu"))],
  )

/** What is wrong with `/setrole`'s words, said before the usage; null when they are fine. */
const setroleProblem = ([target = "", given = "", ...extra]: ReadonlyArray<string>): string | null => {
  if (!/^(@[A-Za-z0-9_]{3,32}|[1-9]\d{0,14})$/.test(target)) return t.setroleBadTarget(target)
  if (given === "") return t.setroleNoRole
  if (!ROLES.includes(given.toLowerCase() as (typeof ROLES)[number])) return t.setroleBadRole(given)
  return extra.length > 0 ? t.setroleExtra : null
}

/** `/setrole <id|@username> <role>`: the role in any case; no words → the usage alone. */
const setRole = (args: string): Cmd => {
  const words = args.trim().split(/\s+/).filter(Boolean)
  if (words.length === 0) return Cmd.reply(t.setroleUsage)
  const problem = setroleProblem(words)
  if (problem !== null) return Cmd.reply(`${problem}\n\n${t.setroleUsage}`)
  return { _tag: "ChangeRole", target: words[0]!, role: words[1]!.toLowerCase() as (typeof ROLES)[number] }
}

const roleChanged = (event: Extract<Feedback, { _tag: "RoleChanged" }>, own: boolean): string => {
  switch (event.outcome) {
    case "done":
      if (own) return t.setroleOwn(roleName(event.role))
      return event.role === "none" && event.userId !== null
        ? t.setroleRevoked(event.target, event.userId)
        : t.setroleDone(event.target, roleName(event.role))
    case "unchanged":
      return t.setroleUnchanged(event.target, roleName(event.role))
    case "ambiguous":
      return t.setroleAmbiguous(event.target)
    case "last_admin":
      return t.setroleLastAdmin
    case "not_found":
      return t.setroleNotFound(event.target)
  }
}

/** `/export` → Google Sheets; `/export xlsx` or `csv` → files here; anything else → how to use it. */
const exportCommand = (args: string): Cmd[] => {
  const format = args.trim().toLowerCase()
  if (format === "" || format === "sheets" || format === "google")
    return [Cmd.reply(t.exportStarted), { _tag: "ExportNow" }]
  if (format === "xlsx" || format === "excel" || format === "csv") {
    const file = format === "csv" ? "csv" : "xlsx"
    return [Cmd.reply(exportTexts.started(file)), { _tag: "ExportFile", format: file }]
  }
  return [Cmd.reply(exportTexts.usage)]
}

/** The admin is told how it went; the person whose role changed is told too (not the admin about themselves). */
const onRoleChanged = (ev: Envelope, event: Extract<Feedback, { _tag: "RoleChanged" }>): Cmd[] => {
  const own = event.userId === ev.actor.userId
  return [
    Cmd.reply(roleChanged(event, own)),
    ...(event.outcome === "done" && event.userId !== null && !own
      ? [{ _tag: "NotifyUser", userId: event.userId, html: t.roleNotice[event.role] } as const]
      : []),
  ]
}

/**
 * Admin commands and the self-service data deletion. Pure: returns the next state and commands; runs nothing.
 * Null for events that are not about them. Everything admin-only is refused politely to everyone else.
 */
export const adminReducer = (s: Session, ev: Envelope): Step | null => {
  const { input } = ev
  const isAdmin = ev.actor.role === "admin"
  if (input._tag === "Command" && input.name === "forget_me")
    return [
      { ...s, forgetAsked: true },
      [
        Cmd.reply(
          t.forgetAsk,
          inline([
            button(t.forgetYes, callbackData.forget(true)),
            button(t.forgetNo, callbackData.forget(false)),
          ]),
        ),
      ],
    ]
  if (input._tag === "Callback" && input.data._tag === "Forget") {
    // Only an open question is answered: a press of an answered one (a forged callback) deletes nothing.
    if (!s.forgetAsked) return [s, [Cmd.answer(input.queryId, sharedTexts.staleButton, true)]]
    const answer = Cmd.answer(input.queryId)
    // The answered question loses its buttons: an old «Да» pressed by mistake later cannot delete anything.
    const settled = (label: string) =>
      input.messageId === null ? [] : [Cmd.edit(input.messageId, t.forgetAnswered(label))]
    if (!input.data.confirmed)
      return [{ ...s, forgetAsked: false }, [answer, ...settled(t.forgetNo), Cmd.reply(t.forgetKept)]]
    // Told once the deletion is done, by this row: no feedback event is stored (it would carry their name).
    const done = Cmd.reply(t.forgetDone, { _tag: "RemoveReply" })
    const forgotten = { ...s, flow: { _tag: "Idle" }, forgetAsked: false } as const
    return [forgotten, [answer, ...settled(t.forgetYes), { _tag: "ForgetMe" }, done]]
  }
  if (input._tag === "Command" && ADMIN_COMMANDS.has(input.name)) {
    if (!isAdmin) return [s, [Cmd.reply(texts.adminOnly)]]
    if (input.name === "admin") return [s, [Cmd.reply(t.menu, adminMenu())]]
    if (input.name === "stats") return [s, [{ _tag: "ChatAction" }, { _tag: "LoadAdminStats" }]]
    if (input.name === "users") return [s, [{ _tag: "LoadUsers", query: input.args }]]
    if (input.name === "export") return [s, exportCommand(input.args)]
    return [s, [setRole(input.args)]]
  }
  if (
    input._tag === "Callback" &&
    (input.data._tag === "Admin" || input.data._tag === "UserCard" || input.data._tag === "UsersPage")
  ) {
    if (!isAdmin) return [s, [Cmd.answer(input.queryId, texts.adminOnly, true)]]
    const { data, messageId } = input
    if (data._tag === "Admin" && (data.action === "xlsx" || data.action === "csv"))
      return [s, [Cmd.answer(input.queryId), ...exportCommand(data.action)]]
    const next: Cmd =
      data._tag === "UserCard"
        ? { _tag: "LoadUserCard", userId: data.userId, messageId, page: data.page }
        : data._tag === "UsersPage"
          ? { _tag: "LoadUsers", query: "", page: data.page, messageId }
          : data.action === "menu"
            ? Cmd.show(messageId, t.menu, adminMenu())
            : data.action === "stats"
              ? { _tag: "LoadAdminStats" }
              : { _tag: "LoadUsers", query: "" }
    return [s, [Cmd.answer(input.queryId), next]]
  }
  if (input._tag !== "Feedback") return null
  const event = input.event
  const zone = ev.timeZone ?? DEFAULT_TIME_ZONE
  switch (event._tag) {
    case "AdminStatsLoaded":
      return [
        s,
        [
          Cmd.reply(renderStats(event.stats, zone), backToMenu()),
          event.stats.attempts.length > 0
            ? { _tag: "SendStatsChart", stats: event.stats }
            : Cmd.reply(t.noChart),
        ],
      ]
    case "UsersLoaded": {
      const { users, total = users.length, query = "", page = 0, messageId = null } = event
      const list = renderUsers({ users, total, query, page }, zone)
      return [s, [Cmd.show(messageId, list.html, list.keyboard)]]
    }
    case "UserCardLoaded": {
      const card = renderUserCard(event.card, event.userId, zone, event.page ?? 0)
      return [s, [Cmd.show(event.messageId, card.html, card.keyboard)]]
    }
    case "RoleChanged":
      return [s, onRoleChanged(ev, event)]
    case "NotifyFailed":
      return [s, [Cmd.reply(t.notifyFailed(event.userId))]]
    case "FileExported":
      return [s, event.ok ? [] : [Cmd.reply(exportTexts.failed)]]
    case "ExportFinished":
      return [s, [Cmd.reply(event.url ? t.exportDone(event.url) : t.exportFailed(event.message ?? ""))]]
    // Only from rows stored before deletions answered in the same row (kept so they still finish).
    case "Forgotten":
      return [{ ...s, flow: { _tag: "Idle" } }, [Cmd.reply(t.forgetDone, { _tag: "RemoveReply" })]]
    default:
      return null
  }
}
