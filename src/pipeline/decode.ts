import type { Message, Update } from "grammy/types"
import { callbackData } from "../app/callback-data"
import type { Input } from "../app/model"

export interface TextLimits {
  readonly min: number
  readonly max: number
  readonly maxLines: number
}

/** Where an update belongs: its chat (the ordering key) and its sender. Null for updates we do not handle. */
export interface Origin {
  readonly chatId: number
  readonly userId: number
  readonly firstName: string
  readonly username: string | null
}

export const originOf = (u: Update): Origin | null => {
  const from = u.message?.from ?? u.callback_query?.from
  const chatId = u.message?.chat.id ?? u.callback_query?.message?.chat.id ?? from?.id
  if (!from || chatId === undefined || from.is_bot) return null
  return { chatId, userId: from.id, firstName: from.first_name, username: from.username ?? null }
}

const COMMAND = /^\/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]+))?(?:\s+([\s\S]*))?$/

const decodeText = (text: string, messageId: number, botUsername: string): Input | null => {
  const command = COMMAND.exec(text.trim())
  if (!command) return { _tag: "Text", text: text.trim(), messageId }
  if (command[2] && command[2].toLowerCase() !== botUsername.toLowerCase()) return null
  return { _tag: "Command", name: command[1]!.toLowerCase(), args: (command[3] ?? "").trim(), messageId }
}

/** Text limits (TEXT_MIN/MAX_LENGTH, TEXT_MAX_LINES), counted in characters as a person sees them. Pure. */
export const applyTextLimits = (input: Input, limits: TextLimits): Input => {
  if (input._tag !== "Text") return input
  const length = [...input.text].length
  if (length < limits.min) return { _tag: "Rejected", reason: "too_short", limit: limits.min }
  if (length > limits.max) return { _tag: "Rejected", reason: "too_long", limit: limits.max }
  if (input.text.split("\n").length > limits.maxLines)
    return { _tag: "Rejected", reason: "too_many_lines", limit: limits.maxLines }
  return input
}

/** What the user sent, when it is content; null for service messages (timers, pins, joins…), which need no answer. */
const kindOf = (m: Message): "voice" | "media" | "other" | null => {
  if (m.voice || m.audio || m.video_note) return "voice"
  if (m.photo || m.document || m.video || m.sticker || m.animation) return "media"
  if (m.location || m.contact || m.poll || m.dice || m.venue || m.game || m.story || m.caption) return "other"
  return null
}

/**
 * Update → Input (shape only; limits are applied later by `applyTextLimits`). Pure. Null means "nothing to answer" (service messages, group chatter,
 * commands addressed to another bot, edited messages).
 */
export const decodeUpdate = (u: Update, botUsername: string): Input | null => {
  if (u.callback_query) {
    const q = u.callback_query
    return {
      _tag: "Callback",
      queryId: q.id,
      data: callbackData.decode(q.data ?? ""),
      messageId: q.message?.message_id ?? null,
    }
  }
  const m = u.message
  if (!m) return null
  if (m.chat.type !== "private") {
    const command = m.text ? decodeText(m.text, m.message_id, botUsername) : null
    return command?._tag === "Command" ? { _tag: "Unsupported", kind: "group" } : null
  }
  if (typeof m.text === "string") return decodeText(m.text, m.message_id, botUsername)
  const kind = kindOf(m)
  return kind === null ? null : { _tag: "Unsupported", kind }
}
