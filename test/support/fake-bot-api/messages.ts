import {
  type FormattedText,
  formatCaption,
  formatMessageText,
  formatText,
  MAX_TEXT_LENGTH,
  sameEntities,
  sameMarkup,
  validateReplyMarkup,
} from "./format"
import { chatIdOf, type Handler, intParam } from "./params"
import type { UploadedFile } from "./request"
import type { FakeState } from "./store"
import { ApiError, badRequest, type Params, type SentFile, type SentMessage } from "./types"

type MediaKind = "document" | "photo" | "voice"

const MAX_UPLOAD_BYTES = 50 * 1024 * 1024
const NOT_MODIFIED =
  "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"
const CHAT_ACTIONS = new Set([
  "typing",
  "upload_photo",
  "record_video",
  "upload_video",
  "record_voice",
  "upload_voice",
  "upload_document",
  "choose_sticker",
  "find_location",
  "record_video_note",
  "upload_video_note",
])
const MIME_BY_EXTENSION: Record<string, string> = {
  pdf: "application/pdf",
  txt: "text/plain",
  csv: "text/csv",
  json: "application/json",
  html: "text/html",
  zip: "application/zip",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  ogg: "audio/ogg",
  oga: "audio/ogg",
  mp3: "audio/mpeg",
}

const isInlineMarkup = (markup: unknown): boolean =>
  typeof markup === "object" && markup !== null && "inline_keyboard" in markup

function chatObject(state: FakeState, chatId: number): Record<string, unknown> {
  const known = state.knownChats.get(chatId)
  if (known) return known
  return chatId > 0
    ? { id: chatId, type: "private", first_name: `User ${chatId}` }
    : { id: chatId, type: "supergroup", title: `Chat ${chatId}` }
}

function mediaObject(state: FakeState, m: SentMessage): [string, unknown] | undefined {
  const file = m.file
  if (!file) return undefined
  const ids = {
    file_id: file.file_id,
    file_unique_id: file.file_unique_id,
    file_size: state.files.get(file.file_id)?.size ?? file.bytes.byteLength,
  }
  if (m.kind === "photo") return ["photo", [{ ...ids, width: 1280, height: 720 }]]
  if (m.kind === "voice") return ["voice", { ...ids, duration: 1, mime_type: file.mime ?? "audio/ogg" }]
  return ["document", { file_name: file.name, mime_type: file.mime ?? "application/octet-stream", ...ids }]
}

/** The Bot API Message object for a stored message. */
export function toTelegramMessage(
  state: FakeState,
  m: SentMessage,
  editDate?: number,
): Record<string, unknown> {
  const message: Record<string, unknown> = {
    message_id: m.message_id,
    from: state.bot,
    chat: chatObject(state, m.chat_id),
    date: m.date,
  }
  if (editDate !== undefined) message.edit_date = editDate
  const media = mediaObject(state, m)
  if (media) message[media[0]] = media[1]
  if (m.text !== undefined) {
    message.text = m.text
    if (m.entities) message.entities = m.entities
  }
  if (m.caption !== undefined) {
    message.caption = m.caption
    if (m.entities) message.caption_entities = m.entities
  }
  if (isInlineMarkup(m.reply_markup)) message.reply_markup = m.reply_markup
  return message
}

export function textFields(formatted: FormattedText, field: "text" | "caption"): Partial<SentMessage> {
  const fields: Partial<SentMessage> = {}
  if (field === "text") fields.text = formatted.text
  else if (formatted.text !== "") fields.caption = formatted.text
  if (formatted.html !== undefined) fields.html = formatted.html
  if (formatted.parse_mode !== undefined) fields.parse_mode = formatted.parse_mode
  if (formatted.entities !== undefined) fields.entities = formatted.entities
  return fields
}

/** Replaces the text-ish fields of a message on edit, dropping ones the new content does not have. */
function applyText(m: SentMessage, formatted: FormattedText, field: "text" | "caption"): void {
  delete m.html
  delete m.parse_mode
  delete m.entities
  if (field === "caption") delete m.caption
  Object.assign(m, textFields(formatted, field))
}

function applyMarkup(m: SentMessage, markup: Record<string, unknown> | undefined): void {
  // A reply keyboard stays with the user; only the inline keyboard belongs to the edited message.
  if (markup !== undefined) m.reply_markup = markup
  else if (isInlineMarkup(m.reply_markup)) delete m.reply_markup
}

export const sendMessage: Handler = ({ params, state }) => {
  const chatId = chatIdOf(params)
  const formatted = formatMessageText(params.text, params.parse_mode, params.entities)
  const markup = validateReplyMarkup(params.reply_markup)
  const fields: Partial<SentMessage> = { ...textFields(formatted, "text") }
  if (markup) fields.reply_markup = markup
  return toTelegramMessage(state, state.addMessage(chatId, { kind: "text", ...fields }))
}

function guessMime(filename: string, declaredType: string | undefined, kind: MediaKind): string {
  const declared = declaredType?.split(";")[0]?.trim().toLowerCase()
  if (declared && declared !== "application/octet-stream") return declared
  const ext = /\.([A-Za-z0-9]+)$/.exec(filename)?.[1]?.toLowerCase()
  const byExtension = ext ? MIME_BY_EXTENSION[ext] : undefined
  if (byExtension) return byExtension
  return kind === "photo" ? "image/jpeg" : kind === "voice" ? "audio/ogg" : "application/octet-stream"
}

export function resolveInputFile(
  state: FakeState,
  params: Params,
  files: Map<string, UploadedFile>,
  kind: MediaKind,
): SentFile {
  const raw = params[kind]
  let upload = files.get(kind)
  if (!upload && typeof raw === "string" && raw.startsWith("attach://")) {
    upload = files.get(raw.slice("attach://".length))
    if (!upload) throw badRequest("wrong file identifier/HTTP URL specified")
  }
  if (upload) {
    if (upload.bytes.byteLength === 0) throw badRequest("file must be non-empty")
    if (upload.bytes.byteLength > MAX_UPLOAD_BYTES) throw new ApiError(413, "Request Entity Too Large")
    const mime = guessMime(upload.filename, upload.mime, kind)
    const stored = state.registerFile(upload.bytes, { name: upload.filename, mime, kind })
    return { ...fileRef(stored), name: upload.filename, mime }
  }
  if (raw === undefined || raw === null || raw === "") throw badRequest(`there is no ${kind} in the request`)
  const known = typeof raw === "string" ? state.files.get(raw) : undefined
  if (!known) throw badRequest("wrong file identifier/HTTP URL specified")
  const sent: SentFile = { ...fileRef(known), name: known.name ?? known.file_path.split("/").pop() ?? "file" }
  if (known.mime !== undefined) sent.mime = known.mime
  return sent
}

const fileRef = (f: { file_id: string; file_unique_id: string; bytes: Uint8Array }) => ({
  file_id: f.file_id,
  file_unique_id: f.file_unique_id,
  bytes: f.bytes,
})

export const sendMedia =
  (kind: MediaKind): Handler =>
  ({ params, files, state }) => {
    const chatId = chatIdOf(params)
    const file = resolveInputFile(state, params, files, kind)
    const caption = formatCaption(params.caption, params.parse_mode, params.caption_entities)
    const markup = validateReplyMarkup(params.reply_markup)
    const fields: Partial<SentMessage> = { ...textFields(caption, "caption"), file }
    if (markup) fields.reply_markup = markup
    return toTelegramMessage(state, state.addMessage(chatId, { kind, ...fields }))
  }

function findForEdit(state: FakeState, params: Params): SentMessage {
  const chatId = chatIdOf(params)
  if (params.message_id === undefined) throw badRequest("message identifier is not specified")
  const messageId = intParam(params.message_id)
  const message = messageId === undefined ? undefined : state.findMessage(chatId, messageId)
  if (!message) throw badRequest("message to edit not found")
  return message
}

function validateEditMarkup(raw: unknown): Record<string, unknown> | undefined {
  const markup = validateReplyMarkup(raw)
  if (markup !== undefined && !isInlineMarkup(markup)) throw badRequest("inline keyboard expected")
  return markup
}

const currentInline = (m: SentMessage): unknown =>
  isInlineMarkup(m.reply_markup) ? m.reply_markup : undefined

const edited = (state: FakeState, m: SentMessage): Record<string, unknown> => {
  m.edits++
  return toTelegramMessage(state, m, Math.floor(Date.now() / 1000))
}

export const editMessageText: Handler = ({ params, state }) => {
  if (params.inline_message_id !== undefined) {
    formatMessageText(params.text, params.parse_mode, params.entities)
    validateEditMarkup(params.reply_markup)
    return true
  }
  const m = findForEdit(state, params)
  if (m.kind !== "text") throw badRequest("there is no text in the message to edit")
  const formatted = formatMessageText(params.text, params.parse_mode, params.entities)
  const markup = validateEditMarkup(params.reply_markup)
  if (
    formatted.text === m.text &&
    sameEntities(formatted.entities, m.entities) &&
    sameMarkup(markup, currentInline(m))
  ) {
    throw badRequest(NOT_MODIFIED)
  }
  applyText(m, formatted, "text")
  applyMarkup(m, markup)
  return edited(state, m)
}

export const editMessageCaption: Handler = ({ params, state }) => {
  if (params.inline_message_id !== undefined) return true
  const m = findForEdit(state, params)
  if (m.kind === "text") throw badRequest("there is no caption in the message to edit")
  const formatted = formatCaption(params.caption, params.parse_mode, params.caption_entities)
  const markup = validateEditMarkup(params.reply_markup)
  if (
    formatted.text === (m.caption ?? "") &&
    sameEntities(formatted.entities, m.entities) &&
    sameMarkup(markup, currentInline(m))
  ) {
    throw badRequest(NOT_MODIFIED)
  }
  applyText(m, formatted, "caption")
  applyMarkup(m, markup)
  return edited(state, m)
}

export const editMessageReplyMarkup: Handler = ({ params, state }) => {
  if (params.inline_message_id !== undefined) {
    validateEditMarkup(params.reply_markup)
    return true
  }
  const m = findForEdit(state, params)
  const markup = validateEditMarkup(params.reply_markup)
  if (sameMarkup(markup, currentInline(m))) throw badRequest(NOT_MODIFIED)
  applyMarkup(m, markup)
  return edited(state, m)
}

export const deleteMessage: Handler = ({ params, state }) => {
  const chatId = chatIdOf(params)
  const messageId = intParam(params.message_id)
  if (messageId !== undefined && state.deleteIncoming(chatId, messageId)) return true
  const message = messageId === undefined ? undefined : state.findMessage(chatId, messageId)
  if (!message) throw badRequest("message to delete not found")
  message.deleted = true
  return true
}

export const sendChatAction: Handler = ({ params }) => {
  chatIdOf(params)
  if (typeof params.action !== "string" || !CHAT_ACTIONS.has(params.action)) {
    throw badRequest("wrong parameter action in request")
  }
  return true
}

export const sendMessageDraft: Handler = ({ params }) => {
  const chatId = chatIdOf(params)
  if (chatId < 0) throw badRequest("TEXTDRAFT_PEER_INVALID")
  const draftId = intParam(params.draft_id)
  if (draftId === undefined || draftId === 0) throw badRequest("draft_id must be a non-zero integer")
  const formatted = formatText(params.text, params.parse_mode, params.entities)
  if (formatted.text.length > MAX_TEXT_LENGTH) throw badRequest("message is too long")
  return true
}

export const answerCallbackQuery: Handler = ({ params }) => {
  const id = params.callback_query_id
  if (typeof id !== "string" || id === "") {
    throw badRequest("query is too old and response timeout expired or query ID is invalid")
  }
  if (params.text !== undefined && (typeof params.text !== "string" || params.text.length > 200)) {
    throw badRequest("MESSAGE_TOO_LONG")
  }
  return true
}
