import type { Message, MessageEntity, Update } from "grammy/types"
import { callbackData } from "../core/callback-data"
import type { Input } from "../core/model"
import { entitiesToHtml } from "../lib/entities-html"
import { withoutInvisible } from "../lib/invisible"

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
    // The HTML keeps the text as written (a broadcast is the admin's own); the plain text is what models read.
    const plain = withoutInvisible(text).trim()
    return html ? { _tag: "Text", text: plain, messageId, html } : { _tag: "Text", text: plain, messageId }
  }
  if (command[2] && command[2].toLowerCase() !== botUsername.toLowerCase()) return null
  return { _tag: "Command", name: command[1]!.toLowerCase(), args: (command[3] ?? "").trim(), messageId }
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
