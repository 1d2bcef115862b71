import { type Audience, isAudience } from "./audience"

/** An inline button: its label and the payload it sends back (what it means, typed below). */
export interface Button {
  readonly text: string
  readonly data: string
}

/** `soft` and `hard` start the case with a softer or a harder persona; `start` with the usual one. */
export type CaseAction = "start" | "soft" | "hard" | "theory" | "restart" | "review" | "retry" | "rehear"

const ADMIN_ACTIONS = ["stats", "users", "menu", "xlsx", "csv"] as const
/** The admin menu's buttons: stats, people, the menu itself, the export as a file. */
export type AdminAction = (typeof ADMIN_ACTIONS)[number]

/** The answers to «a start would drop your running dialogue»: go on with it, finish it with a review, or drop it. */
export type LeaveChoice = "stay" | "finish" | "drop"

export type CallbackData =
  | { readonly _tag: "Nav"; readonly target: "menu" | "faq" | "help" | "results" }
  | { readonly _tag: "CaseCard"; readonly caseId: string }
  | { readonly _tag: "Case"; readonly caseId: string; readonly action: CaseAction }
  /** An answer to the leaving question `id` (stale once another question or another attempt replaced it). */
  | { readonly _tag: "Leave"; readonly id: number; readonly choice: LeaveChoice }
  /** A page of «📈 Мои результаты» (0 = the first, with the progress per step). */
  | { readonly _tag: "History"; readonly page: number }
  /**
   * One of the learner's attempts (a row id: whose it is, the handler checks), or its dialogue; `page` is the
   * results page it was opened from, where its «back» returns.
   */
  | { readonly _tag: "AttemptOpen"; readonly id: number; readonly transcript: boolean; readonly page: number }
  /** /settings: the weekly practice reminder on or off. */
  | { readonly _tag: "Nudges"; readonly on: boolean }
  | { readonly _tag: "Admin"; readonly action: AdminAction }
  /** A page of /users (everyone, most recently active first). */
  | { readonly _tag: "UsersPage"; readonly page: number }
  /** An admin opens one user's card (by Telegram id) from the /users page `page` (its «back» returns there). */
  | { readonly _tag: "UserCard"; readonly userId: number; readonly page: number }
  | { readonly _tag: "Forget"; readonly confirmed: boolean }
  | { readonly _tag: "Broadcast"; readonly action: "now" | "drop" | "list" }
  /** Confirms the broadcast previewed above it: `preview` is that preview's fingerprint (absent: a button from before). */
  | { readonly _tag: "BroadcastSend"; readonly preview: string | null }
  | { readonly _tag: "BroadcastAudience"; readonly audience: Audience }
  /** `fromList`: pressed under the /broadcasts list (refreshed after), not under the broadcast's own message. */
  | { readonly _tag: "BroadcastStop"; readonly id: number; readonly fromList: boolean }
  | { readonly _tag: "SurveyOpen" }
  | { readonly _tag: "SurveySkip" }
  /** An answer given on the survey opened as run `run` (an older run's buttons are stale: they save nothing). */
  | { readonly _tag: "SurveyAnswer"; readonly run: number; readonly question: number; readonly value: number }
  | { readonly _tag: "Unknown"; readonly raw: string }

const NAV_TARGETS = ["menu", "faq", "help", "results"] as const
const CASE_ACTIONS: ReadonlyArray<CaseAction> = [
  "start",
  "soft",
  "hard",
  "theory",
  "restart",
  "review",
  "retry",
  "rehear",
]
const CASE_ID = /^[a-z][a-z0-9_]{0,40}$/
const LEAVE_CHOICES: ReadonlyArray<LeaveChoice> = ["stay", "finish", "drop"]
const ID = /^(0|[1-9]\d{0,14})$/

/**
 * Typed codec for inline-button payloads; anything unknown decodes to `Unknown` (a stale or forged button).
 * Case ids are checked for shape only: whether the case exists is the reducer's call.
 */
export const callbackData = {
  nav: (target: (typeof NAV_TARGETS)[number]): string => `nav:${target}`,
  caseCard: (caseId: string): string => `menu:${caseId}`,
  caseAction: (caseId: string, action: CaseAction): string => `case:${caseId}:${action}`,
  leave: (id: number, choice: LeaveChoice): string => `leave:${id}:${choice}`,
  history: (page: number): string => `hist:${page}`,
  attempt: (id: number, transcript = false, page = 0): string =>
    `att:${id}${transcript ? ":t" : page > 0 ? `:p${page}` : ""}`,
  admin: (action: AdminAction): string => `admin:${action}`,
  userCard: (userId: number, page = 0): string => `usr:${userId}${page > 0 ? `:${page}` : ""}`,
  usersPage: (page: number): string => `usrs:${page}`,
  nudges: (on: boolean): string => `set:nudges:${on ? "on" : "off"}`,
  forget: (confirmed: boolean): string => `forget:${confirmed ? "yes" : "no"}`,
  broadcast: (action: "now" | "drop" | "list"): string => `bc:${action}`,
  broadcastSend: (preview: string): string => `bc:send:${preview}`,
  broadcastAudience: (audience: Audience): string => `bc:to:${audience}`,
  broadcastStop: (id: number, fromList = false): string => `bc:${fromList ? "lstop" : "stop"}:${id}`,
  surveyOpen: "rate:open",
  surveySkip: "rate:skip",
  surveyAnswer: (run: number, question: number, value: number): string => `rate:${run}:${question}:${value}`,
  decode: (raw: string): CallbackData => {
    const [scope, value = "", action, ...rest] = raw.split(":")
    if (scope === "rate") return decodeSurvey(raw, value, action, rest)
    if (rest.length > 0) return { _tag: "Unknown", raw }
    if (
      scope === "nav" &&
      action === undefined &&
      NAV_TARGETS.includes(value as (typeof NAV_TARGETS)[number])
    )
      return { _tag: "Nav", target: value as (typeof NAV_TARGETS)[number] }
    if (scope === "menu" && action === undefined && CASE_ID.test(value))
      return { _tag: "CaseCard", caseId: value }
    if (scope === "case" && CASE_ID.test(value) && CASE_ACTIONS.includes(action as CaseAction))
      return { _tag: "Case", caseId: value, action: action as CaseAction }
    if (scope === "leave" && ID.test(value) && LEAVE_CHOICES.includes(action as LeaveChoice))
      return { _tag: "Leave", id: Number(value), choice: action as LeaveChoice }
    if (scope === "hist" && action === undefined && /^\d{1,4}$/.test(value))
      return { _tag: "History", page: Number(value) }
    if (
      scope === "att" &&
      ID.test(value) &&
      (action === undefined || action === "t" || /^p\d{1,4}$/.test(action))
    )
      return {
        _tag: "AttemptOpen",
        id: Number(value),
        transcript: action === "t",
        page: action?.startsWith("p") ? Number(action.slice(1)) : 0,
      }
    if (scope === "admin" && action === undefined && (ADMIN_ACTIONS as ReadonlyArray<string>).includes(value))
      return { _tag: "Admin", action: value as AdminAction }
    if (scope === "set" && value === "nudges" && (action === "on" || action === "off"))
      return { _tag: "Nudges", on: action === "on" }
    if (scope === "usrs" && action === undefined && /^\d{1,4}$/.test(value))
      return { _tag: "UsersPage", page: Number(value) }
    if (scope === "usr" && ID.test(value) && (action === undefined || /^\d{1,4}$/.test(action)))
      return { _tag: "UserCard", userId: Number(value), page: Number(action ?? 0) }
    if (scope === "bc") return decodeBroadcast(raw, value, action)
    if (scope === "forget" && action === undefined && (value === "yes" || value === "no"))
      return { _tag: "Forget", confirmed: value === "yes" }
    return { _tag: "Unknown", raw }
  },
}

const BROADCAST_ACTIONS = ["now", "drop", "list"] as const

const decodeBroadcast = (raw: string, first: string, second: string | undefined): CallbackData => {
  if (first === "send" && (second === undefined || /^[0-9a-z]{1,7}$/.test(second)))
    return { _tag: "BroadcastSend", preview: second ?? null }
  if (second === undefined && (BROADCAST_ACTIONS as ReadonlyArray<string>).includes(first))
    return { _tag: "Broadcast", action: first as (typeof BROADCAST_ACTIONS)[number] }
  if (first === "to" && second !== undefined && isAudience(second))
    return { _tag: "BroadcastAudience", audience: second }
  if ((first === "stop" || first === "lstop") && /^\d{1,15}$/.test(second ?? ""))
    return { _tag: "BroadcastStop", id: Number(second), fromList: first === "lstop" }
  return { _tag: "Unknown", raw }
}

const decodeSurvey = (
  raw: string,
  first: string,
  second: string | undefined,
  rest: ReadonlyArray<string>,
): CallbackData => {
  if (second === undefined && first === "open") return { _tag: "SurveyOpen" }
  if (second === undefined && first === "skip") return { _tag: "SurveySkip" }
  const [third, ...more] = rest
  const valid =
    more.length === 0 &&
    /^\d{1,9}$/.test(first) &&
    /^\d$/.test(second ?? "") &&
    /^\d{1,2}$/.test(third ?? "") &&
    Number(third) >= 1 &&
    Number(third) <= 10
  return valid
    ? { _tag: "SurveyAnswer", run: Number(first), question: Number(second), value: Number(third) }
    : { _tag: "Unknown", raw }
}

export const button = (text: string, data: string): Button => ({ text, data })
