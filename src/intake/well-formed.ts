import type { Update } from "grammy/types"

/**
 * Structural checks on the parts of an update the bot reads, before anything is stored. Telegram never sends
 * anything else, but the webhook is an open door: a forged or broken body must be dropped here, not crash the
 * pipeline five times and end in an apology. Pure.
 */

type Obj = Record<string, unknown>

const isObj = (x: unknown): x is Obj => typeof x === "object" && x !== null && !Array.isArray(x)
const isId = (x: unknown): x is number => Number.isSafeInteger(x)
const optional = (x: unknown, check: (x: unknown) => boolean) => x === undefined || check(x)
const isString = (x: unknown): x is string => typeof x === "string"
const isCount = (x: unknown) => isId(x) && (x as number) >= 0

const isUser = (x: unknown) =>
  isObj(x) &&
  isId(x.id) &&
  typeof x.is_bot === "boolean" &&
  isString(x.first_name) &&
  optional(x.username, isString)

const isChat = (x: unknown) => isObj(x) && isId(x.id) && isString(x.type)

const isFile = (x: unknown) =>
  isObj(x) &&
  isString(x.file_id) &&
  isString(x.file_unique_id) &&
  optional(x.file_size, isCount) &&
  optional(x.mime_type, isString)

const isTimedFile = (x: unknown) =>
  isFile(x) && typeof (x as Obj).duration === "number" && ((x as Obj).duration as number) >= 0

/** Entities must lie inside the text; anything else is dropped as a whole. */
const entitiesFit = (entities: unknown, text: string) =>
  Array.isArray(entities) &&
  entities.every(
    (e) =>
      isObj(e) &&
      isString(e.type) &&
      isCount(e.offset) &&
      isCount(e.length) &&
      (e.offset as number) + (e.length as number) <= text.length &&
      optional(e.url, isString) &&
      optional(e.language, isString),
  )

/** In a private chat only its owner writes and presses buttons: a different sender is a forgery. */
const ownsPrivateChat = (chat: Obj, from: unknown) =>
  chat.type !== "private" || from === undefined || (from as Obj).id === chat.id

const isMessage = (x: unknown): boolean => {
  if (!isObj(x) || !isId(x.message_id) || !isChat(x.chat) || !optional(x.from, isUser)) return false
  if (!ownsPrivateChat(x.chat as Obj, x.from)) return false
  if (!optional(x.text, isString) || !optional(x.caption, isString)) return false
  if (x.entities !== undefined && !(isString(x.text) && entitiesFit(x.entities, x.text))) return false
  return [x.voice, x.audio, x.video_note].every((f) => optional(f, isTimedFile))
}

const isCallback = (x: unknown) =>
  isObj(x) &&
  isString(x.id) &&
  isUser(x.from) &&
  optional(x.data, isString) &&
  // A message too old for Telegram to include comes as {chat, message_id, date: 0}: still a message shape.
  optional(
    x.message,
    (m) => isObj(m) && isId(m.message_id) && isChat(m.chat) && ownsPrivateChat(m.chat as Obj, x.from),
  )

/** True when every part the bot would read is shaped as the Bot API documents it. */
export const isWellFormedUpdate = (u: unknown): u is Update => {
  if (!isObj(u) || !isCount(u.update_id)) return false
  if (u.message !== undefined && !isMessage(u.message)) return false
  if (u.edited_message !== undefined && !isMessage(u.edited_message)) return false
  return optional(u.callback_query, isCallback)
}

/**
 * Deeper than any object Telegram sends (a callback's message with its reply and keyboard is about ten levels):
 * past it an update is refused before anything walks it recursively.
 */
export const MAX_UPDATE_DEPTH = 64

/**
 * True when objects and arrays nest more than `limit` levels (the value itself is level 1). Stops at the limit.
 * Every update passes here: loops, no arrays built.
 */
export const nestedDeeperThan = (x: unknown, limit: number): boolean => {
  if (typeof x !== "object" || x === null) return false
  if (limit === 0) return true
  if (Array.isArray(x)) {
    for (const v of x) if (nestedDeeperThan(v, limit - 1)) return true
    return false
  }
  for (const k in x) if (nestedDeeperThan((x as Obj)[k], limit - 1)) return true
  return false
}

// A high surrogate not followed by a low one, or a low one without a high one before it.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

// Anything storableString might change: NUL, or any surrogate (a valid pair too; it is checked then).
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what is looked for
const SUSPECT = /[\u0000\uD800-\uDFFF]/

const storableString = (s: string) =>
  SUSPECT.test(s)
    ? (s.includes("\u0000") ? s.replaceAll("\u0000", "") : s).replace(LONE_SURROGATE, "\uFFFD")
    : s

/** True when no string below, key or value, has anything to replace: checked without copying anything. */
const plainlyStorable = (x: unknown): boolean => {
  if (typeof x === "string") return !SUSPECT.test(x)
  if (Array.isArray(x)) {
    for (const v of x) if (!plainlyStorable(v)) return false
    return true
  }
  if (!isObj(x)) return true
  for (const k in x) if (SUSPECT.test(k) || !plainlyStorable(x[k])) return false
  return true
}

/**
 * The update as PostgreSQL can store it: NUL characters removed and lone UTF-16 surrogates replaced by U+FFFD in
 * every string, keys included. text and jsonb hold neither, and a forged body with one would otherwise fail every
 * write of its row (and, through polling, hold every later update back).
 */
export const storable = <A>(x: A): A => (plainlyStorable(x) ? x : cleaned(x))

// Nothing is copied unless something was actually replaced below.
const cleaned = <A>(x: A): A => {
  if (typeof x === "string") return storableString(x) as A
  if (Array.isArray(x)) {
    const items = x.map(cleaned)
    return (items.some((v, i) => v !== x[i]) ? items : x) as A
  }
  if (!isObj(x)) return x
  const entries = Object.entries(x)
  const copied = entries.map(([k, v]) => [cleaned(k), cleaned(v)] as const)
  return (
    copied.some(([k, v], i) => k !== entries[i]![0] || v !== entries[i]![1]) ? Object.fromEntries(copied) : x
  ) as A
}
