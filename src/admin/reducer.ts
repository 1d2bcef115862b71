import { button, callbackData } from "../core/callback-data"
import { Cmd, inline } from "../core/commands"
import { DEFAULT_TIME_ZONE } from "../core/dates"
import type { Envelope, Feedback } from "../core/model"
import type { Session } from "../core/session"
import type { Step } from "../core/step"
import { backToMenu } from "../nav/keyboards"
import { texts } from "../nav/texts"
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
    [button(t.buttons.broadcasts, callbackData.broadcast("list"))],
    [button(texts.buttons.menu, callbackData.nav("menu"))],
  )

const setRole = (args: string): Cmd => {
  const [target, role] = args.split(/\s+/)
  const valid =
    target &&
    /^(@[A-Za-z0-9_]{3,32}|\d{1,15})$/.test(target) &&
    ROLES.includes(role as (typeof ROLES)[number])
  if (!valid) return Cmd.reply(t.setroleUsage)
  return { _tag: "ChangeRole", target, role: role as (typeof ROLES)[number] }
}

const roleChanged = (event: Extract<Feedback, { _tag: "RoleChanged" }>): string => {
  switch (event.outcome) {
    case "done":
      return event.role === "none" && event.userId !== null
        ? t.setroleRevoked(event.target, event.userId)
        : t.setroleDone(event.target, event.role)
    case "ambiguous":
      return t.setroleAmbiguous(event.target)
    case "last_admin":
      return t.setroleLastAdmin
    case "not_found":
      return t.setroleNotFound(event.target)
  }
}

const lastSeen = (iso: string | null) => (iso ? iso.slice(0, 16).replace("T", " ") : "—")

/**
 * Admin commands and the self-service data deletion. Pure: returns the next state and commands; runs nothing.
 * Null for events that are not about them. Everything admin-only is refused politely to everyone else.
 */
export const adminReducer = (s: Session, ev: Envelope): Step | null => {
  const { input } = ev
  const isAdmin = ev.actor.role === "admin"
  if (input._tag === "Command" && input.name === "forget_me")
    return [
      s,
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
    const answer = Cmd.answer(input.queryId)
    if (!input.data.confirmed) return [s, [answer, Cmd.reply(t.forgetKept)]]
    // Told once the deletion is done, by this row: no feedback event is stored (it would carry their name).
    const done = Cmd.reply(t.forgetDone, { _tag: "RemoveReply" })
    return [{ ...s, flow: { _tag: "Idle" } }, [answer, { _tag: "ForgetMe" }, done]]
  }
  if (input._tag === "Command" && ADMIN_COMMANDS.has(input.name)) {
    if (!isAdmin) return [s, [Cmd.reply(texts.adminOnly)]]
    if (input.name === "admin") return [s, [Cmd.reply(t.menu, adminMenu())]]
    if (input.name === "stats") return [s, [{ _tag: "ChatAction" }, { _tag: "LoadAdminStats" }]]
    if (input.name === "users") return [s, [{ _tag: "LoadUsers", query: input.args }]]
    if (input.name === "export") return [s, [Cmd.reply(t.exportStarted), { _tag: "ExportNow" }]]
    return [s, [setRole(input.args)]]
  }
  if (input._tag === "Callback" && input.data._tag === "Admin") {
    if (!isAdmin) return [s, [Cmd.answer(input.queryId, texts.adminOnly, true)]]
    const load: Cmd =
      input.data.action === "stats" ? { _tag: "LoadAdminStats" } : { _tag: "LoadUsers", query: "" }
    return [s, [Cmd.answer(input.queryId), load]]
  }
  if (input._tag !== "Feedback") return null
  const event = input.event
  switch (event._tag) {
    case "AdminStatsLoaded":
      return [
        s,
        [
          Cmd.reply(renderStats(event.stats, ev.timeZone ?? DEFAULT_TIME_ZONE), backToMenu()),
          event.stats.attempts.length > 0
            ? { _tag: "SendStatsChart", stats: event.stats }
            : Cmd.reply(t.noChart),
        ],
      ]
    case "UsersLoaded": {
      if (event.users.length === 0) return [s, [Cmd.reply(t.usersEmpty)]]
      const lines = event.users.map((u) =>
        t.userLine(u.userId, u.firstName, u.username, u.role, lastSeen(u.lastSeen)),
      )
      return [s, [Cmd.reply([t.usersTitle(event.users.length), ...lines].join("\n"))]]
    }
    case "RoleChanged":
      return [s, [Cmd.reply(roleChanged(event))]]
    case "ExportFinished":
      return [s, [Cmd.reply(event.url ? t.exportDone(event.url) : t.exportFailed(event.message ?? ""))]]
    // Only from rows stored before deletions answered in the same row (kept so they still finish).
    case "Forgotten":
      return [{ ...s, flow: { _tag: "Idle" } }, [Cmd.reply(t.forgetDone, { _tag: "RemoveReply" })]]
    default:
      return null
  }
}
