import type { CallbackQuery, Chat, Message, MessageEntity, PhotoSize, Update, User } from "grammy/types"
import type { Input } from "../../src/core/model"

/**
 * Telegram update fixtures shaped like the real Bot API sends them (private chat, a human sender with
 * `language_code: "ru"`, increasing `update_id`/`message_id`). Every id can be pinned through the options; ids left
 * out are taken from process-wide counters, so two fixtures never collide in an inbox keyed by `update_id`.
 */

/** The bot the fake Bot API impersonates (see fake-bot-api.ts `getMe`). */
export const BOT_USERNAME = "emco_test_bot"
export const BOT_USER: User = { id: 7000001, is_bot: true, first_name: "EMCO", username: BOT_USERNAME }

/** The default sender: a private chat's id equals its user's id. */
export const DEFAULT_USER_ID = 100_001
export const DEFAULT_FIRST_NAME = "Ivan"

export interface SenderOptions {
  /** Chat id; defaults to `userId` (a private chat). */
  readonly chatId?: number
  readonly userId?: number
  readonly firstName?: string
  readonly lastName?: string
  /** Telegram @username without the `@`; left out by default (many users have none). */
  readonly username?: string
  readonly languageCode?: string
  /** A bot as the sender (Telegram never delivers those to a private chat, but groups do). */
  readonly isBot?: boolean
}

export interface UpdateOptions extends SenderOptions {
  readonly messageId?: number
  readonly updateId?: number
  /** Unix time in seconds; defaults to now. */
  readonly date?: number
}

let lastUpdateId = 500_000
let lastMessageId = 1_000
let lastFileId = 0
let lastQueryId = 0

/** Restarts the id counters (for tests that compare whole updates). */
export const resetUpdateCounters = (): void => {
  lastUpdateId = 500_000
  lastMessageId = 1_000
  lastFileId = 0
  lastQueryId = 0
}

export const nextUpdateId = (): number => ++lastUpdateId
export const nextMessageId = (): number => ++lastMessageId

const nowSec = (): number => Math.floor(Date.now() / 1000)

const fileIds = (prefix: string): { file_id: string; file_unique_id: string } => {
  const n = ++lastFileId
  return { file_id: `${prefix}-file-${n}`, file_unique_id: `${prefix}-unique-${n}` }
}

/** The sender as a Bot API `User`. */
export const userOf = (o: SenderOptions = {}): User => ({
  id: o.userId ?? DEFAULT_USER_ID,
  is_bot: o.isBot ?? false,
  first_name: o.firstName ?? DEFAULT_FIRST_NAME,
  ...(o.lastName === undefined ? {} : { last_name: o.lastName }),
  ...(o.username === undefined ? {} : { username: o.username }),
  language_code: o.languageCode ?? "ru",
})

/** The sender's private chat with the bot. */
export const privateChatOf = (o: SenderOptions = {}): Chat.PrivateChat => ({
  id: o.chatId ?? o.userId ?? DEFAULT_USER_ID,
  type: "private",
  first_name: o.firstName ?? DEFAULT_FIRST_NAME,
  ...(o.lastName === undefined ? {} : { last_name: o.lastName }),
  ...(o.username === undefined ? {} : { username: o.username }),
})

type IncomingMessage = NonNullable<Update["message"]>

/** The fields every incoming message has: id, date, chat and sender. */
const base = (o: UpdateOptions): IncomingMessage => ({
  message_id: o.messageId ?? nextMessageId(),
  date: o.date ?? nowSec(),
  chat: privateChatOf(o),
  from: userOf(o),
})

/** Wraps a private-chat message into an update. */
export type MessageFields = Omit<Partial<Message>, "message_id" | "date" | "chat" | "from">

export const messageUpdate = (fields: MessageFields, o: UpdateOptions = {}): Update => ({
  update_id: o.updateId ?? nextUpdateId(),
  message: { ...base(o), ...fields },
})

/** A leading `/command` (with an optional `@bot` suffix) as Telegram marks it. */
const commandEntities = (text: string): MessageEntity[] => {
  const command = /^\/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?/.exec(text)
  return command ? [{ type: "bot_command", offset: 0, length: command[0].length }] : []
}

const textFields = (text: string): MessageFields => {
  const entities = commandEntities(text)
  return entities.length > 0 ? { text, entities } : { text }
}

/** A text message in the private chat; a leading `/command` gets its `bot_command` entity. */
export const textUpdate = (text: string, o: UpdateOptions = {}): Update => messageUpdate(textFields(text), o)

/** `/name args` as typed by the user. */
export const commandUpdate = (name: string, o: UpdateOptions & { readonly args?: string } = {}): Update =>
  textUpdate(o.args ? `/${name} ${o.args}` : `/${name}`, o)

export interface CallbackOptions extends Omit<UpdateOptions, "messageId"> {
  readonly queryId?: string
  /**
   * The bot message carrying the button; `null` for a button on an inline-mode message (no `message`, an
   * `inline_message_id` instead). Defaults to a fresh message id.
   */
  readonly messageId?: number | null
  /** Text of the message carrying the button. */
  readonly messageText?: string
}

/** A press on an inline button with `callback_data = data`. */
export const callbackUpdate = (data: string, o: CallbackOptions = {}): Update => {
  const id = o.queryId ?? `query-${++lastQueryId}`
  const from = userOf(o)
  const query: CallbackQuery =
    o.messageId === null
      ? { id, from, chat_instance: `instance-${from.id}`, inline_message_id: `inline-${id}`, data }
      : {
          id,
          from,
          chat_instance: `instance-${from.id}`,
          data,
          message: {
            message_id: o.messageId ?? nextMessageId(),
            date: o.date ?? nowSec(),
            chat: privateChatOf(o),
            from: BOT_USER,
            text: o.messageText ?? "Main menu",
            reply_markup: { inline_keyboard: [[{ text: "Button", callback_data: data }]] },
          },
        }
  return { update_id: o.updateId ?? nextUpdateId(), callback_query: query }
}

export interface VoiceOptions extends UpdateOptions {
  /** Seconds. */
  readonly duration?: number
  /** Bytes. */
  readonly fileSize?: number
  readonly mimeType?: string
}

/** A voice note (OGG/Opus, as Telegram records them). */
export const voiceUpdate = (o: VoiceOptions = {}): Update =>
  messageUpdate(
    {
      voice: {
        ...fileIds("voice"),
        duration: o.duration ?? 5,
        mime_type: o.mimeType ?? "audio/ogg",
        file_size: o.fileSize ?? 24_000,
      },
    },
    o,
  )

/** An audio file (music player style). */
export const audioUpdate = (o: VoiceOptions = {}): Update =>
  messageUpdate(
    {
      audio: {
        ...fileIds("audio"),
        duration: o.duration ?? 30,
        mime_type: o.mimeType ?? "audio/mpeg",
        file_size: o.fileSize ?? 480_000,
        file_name: "recording.mp3",
      },
    },
    o,
  )

/** A round video message. */
export const videoNoteUpdate = (o: VoiceOptions = {}): Update =>
  messageUpdate(
    {
      video_note: {
        ...fileIds("video-note"),
        length: 384,
        duration: o.duration ?? 7,
        file_size: o.fileSize ?? 600_000,
      },
    },
    o,
  )

const photoSizes = (): PhotoSize[] => [
  { ...fileIds("photo"), width: 90, height: 67, file_size: 1_500 },
  { ...fileIds("photo"), width: 1280, height: 960, file_size: 120_000 },
]

/** A photo, optionally with a caption. */
export const photoUpdate = (o: UpdateOptions & { readonly caption?: string } = {}): Update =>
  messageUpdate({ photo: photoSizes(), ...(o.caption === undefined ? {} : { caption: o.caption }) }, o)

/** A file sent as a document. */
export const documentUpdate = (o: UpdateOptions & { readonly fileName?: string } = {}): Update =>
  messageUpdate(
    {
      document: {
        ...fileIds("document"),
        file_name: o.fileName ?? "report.pdf",
        mime_type: "application/pdf",
        file_size: 52_000,
      },
    },
    o,
  )

export const stickerUpdate = (o: UpdateOptions = {}): Update =>
  messageUpdate(
    {
      sticker: {
        ...fileIds("sticker"),
        type: "regular",
        width: 512,
        height: 512,
        is_animated: false,
        is_video: false,
        emoji: "👍",
        set_name: "TestStickers",
      },
    },
    o,
  )

export const videoUpdate = (o: UpdateOptions = {}): Update =>
  messageUpdate(
    {
      video: {
        ...fileIds("video"),
        width: 1280,
        height: 720,
        duration: 12,
        mime_type: "video/mp4",
        file_size: 2_000_000,
      },
    },
    o,
  )

export const locationUpdate = (o: UpdateOptions = {}): Update =>
  messageUpdate({ location: { latitude: 55.7558, longitude: 37.6173 } }, o)

export const contactUpdate = (o: UpdateOptions = {}): Update =>
  messageUpdate({ contact: { phone_number: "+70000000000", first_name: "Petr" } }, o)

export type ServiceKind = "new_chat_members" | "left_chat_member" | "pinned_message"

/** A service message (no text, no media). */
export const serviceUpdate = (kind: ServiceKind, o: UpdateOptions = {}): Update => {
  switch (kind) {
    case "new_chat_members":
      return messageUpdate({ new_chat_members: [BOT_USER] }, o)
    case "left_chat_member":
      return messageUpdate({ left_chat_member: BOT_USER }, o)
    case "pinned_message":
      return messageUpdate(
        {
          pinned_message: {
            message_id: nextMessageId(),
            date: o.date ?? nowSec(),
            chat: privateChatOf(o),
            from: BOT_USER,
            text: "Pinned",
          },
        },
        o,
      )
  }
}

/** An edit of an earlier text message. */
export const editedTextUpdate = (text: string, o: UpdateOptions = {}): Update => {
  const message = base(o)
  return {
    update_id: o.updateId ?? nextUpdateId(),
    edited_message: { ...message, ...textFields(text), edit_date: message.date + 30 },
  }
}

export interface GroupOptions extends UpdateOptions {
  /** The group's id (negative, as Telegram's are). */
  readonly groupId?: number
  readonly title?: string
  readonly groupType?: "group" | "supergroup"
}

/** A text message in a group the bot is a member of. */
export const groupTextUpdate = (text: string, o: GroupOptions = {}): Update => {
  const title = o.title ?? "Team chat"
  const chat: Chat.GroupChat | Chat.SupergroupChat =
    o.groupType === "supergroup"
      ? { id: o.groupId ?? -1_001_234_567_890, type: "supergroup", title }
      : { id: o.groupId ?? -4_001_234_567, type: "group", title }
  return {
    update_id: o.updateId ?? nextUpdateId(),
    message: { ...base(o), chat, ...textFields(text) },
  }
}

/** A decoded voice line (the pipeline's Input), for reducer tests. */
export const voiceInput: Input = {
  _tag: "Voice",
  kind: "voice",
  fileId: "voice-file",
  fileUniqueId: "voice-unique",
  durationSec: 3,
  sizeBytes: 5000,
  mime: "audio/ogg",
  messageId: 9,
}
