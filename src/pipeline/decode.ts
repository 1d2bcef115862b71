import type { Message, MessageEntity, Update } from "grammy/types"
import { callbackData } from "../core/callback-data"
import type { Input } from "../core/model"
import { entitiesToHtml } from "../lib/entities-html"

export interface TextLimits {
  readonly min: number
  readonly max: number
  readonly maxLines: number
}

export interface VoiceLimits {
  readonly minSec: number
  readonly maxSec: number
  /** VOICE_MAX_SIZE_MB, capped by the Bot API's 20 MB getFile limit. */
  readonly maxBytes: number
}

/** Voice limits from metadata, checked before anything is downloaded. Pure. */
export const applyVoiceLimits = (input: Input, limits: VoiceLimits): Input => {
  if (input._tag !== "Voice") return input
  if (input.durationSec < limits.minSec)
    return { _tag: "Rejected", reason: "voice_too_short", limit: limits.minSec }
  if (input.durationSec > limits.maxSec)
    return { _tag: "Rejected", reason: "voice_too_long", limit: limits.maxSec }
  if (input.sizeBytes !== null && input.sizeBytes > limits.maxBytes)
    return { _tag: "Rejected", reason: "voice_too_big", limit: Math.round(limits.maxBytes / 100_000) / 10 }
  return input
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

const decodeText = (
  text: string,
  messageId: number,
  botUsername: string,
  entities?: ReadonlyArray<MessageEntity>,
): Input | null => {
  const command = COMMAND.exec(text.trim())
  if (!command) {
    const html = entitiesToHtml(text, entities)?.trim()
    return html
      ? { _tag: "Text", text: text.trim(), messageId, html }
      : { _tag: "Text", text: text.trim(), messageId }
  }
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

const voiceOf = (m: Message): Input | null => {
  const file = m.voice ?? m.audio ?? m.video_note
  if (!file) return null
  const kind = m.voice ? "voice" : m.audio ? "audio" : "video_note"
  const mime =
    "mime_type" in file && file.mime_type ? file.mime_type : kind === "video_note" ? "video/mp4" : "audio/ogg"
  return {
    _tag: "Voice",
    kind,
    fileId: file.file_id,
    fileUniqueId: file.file_unique_id,
    durationSec: file.duration,
    sizeBytes: file.file_size ?? null,
    mime,
    messageId: m.message_id,
  }
}

/** What the user sent, when it is content; null for service messages (timers, pins, joins…), which need no answer. */
const kindOf = (m: Message): "media" | "other" | null => {
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
  if (typeof m.text === "string") return decodeText(m.text, m.message_id, botUsername, m.entities)
  const voice = voiceOf(m)
  if (voice) return voice
  const kind = kindOf(m)
  return kind === null ? null : { _tag: "Unsupported", kind }
}
