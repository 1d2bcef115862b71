import { parseHtml } from "./html"
import { badRequest, type TextEntity } from "./types"

export const MAX_TEXT_LENGTH = 4096
export const MAX_CAPTION_LENGTH = 1024

export interface FormattedText {
  /** Visible text, trimmed like Telegram does. */
  text: string
  entities?: TextEntity[]
  html?: string
  parse_mode?: string
}

const PARSE_MODES: Record<string, string> = { html: "HTML", markdownv2: "MarkdownV2", markdown: "Markdown" }

/** Applies parse_mode / entities to a text or caption; length limits are checked by the caller. */
export function formatText(raw: unknown, parseMode: unknown, explicitEntities: unknown): FormattedText {
  const source = typeof raw === "string" ? raw : typeof raw === "number" ? String(raw) : ""
  let mode: string | undefined
  if (parseMode !== undefined && parseMode !== null && parseMode !== "") {
    mode = typeof parseMode === "string" ? PARSE_MODES[parseMode.toLowerCase()] : undefined
    if (!mode) throw badRequest("unsupported parse_mode")
  }
  let text = source
  let entities: TextEntity[] | undefined
  if (mode === "HTML") {
    const parsed = parseHtml(source)
    if (!parsed.ok) throw badRequest(`can't parse entities: ${parsed.error}`)
    text = parsed.text
    entities = parsed.entities
  } else if (mode === undefined && Array.isArray(explicitEntities)) {
    entities = explicitEntities.filter(isEntity)
  }
  const lead = text.length - text.trimStart().length
  const trimmed = text.trim()
  const shifted = entities?.flatMap((e) => {
    const start = Math.max(0, e.offset - lead)
    const end = Math.min(trimmed.length, e.offset + e.length - lead)
    return end > start ? [{ ...e, offset: start, length: end - start }] : []
  })
  const result: FormattedText = { text: trimmed }
  if (shifted && shifted.length > 0) result.entities = shifted
  if (mode === "HTML") result.html = source
  if (mode) result.parse_mode = mode
  return result
}

function isEntity(value: unknown): value is TextEntity {
  if (typeof value !== "object" || value === null) return false
  const e = value as Record<string, unknown>
  return typeof e.type === "string" && typeof e.offset === "number" && typeof e.length === "number"
}

export function formatMessageText(raw: unknown, parseMode: unknown, entities: unknown): FormattedText {
  const formatted = formatText(raw, parseMode, entities)
  if (formatted.text.length === 0) throw badRequest("message text is empty")
  if (formatted.text.length > MAX_TEXT_LENGTH) throw badRequest("message is too long")
  return formatted
}

export function formatCaption(raw: unknown, parseMode: unknown, entities: unknown): FormattedText {
  const formatted = formatText(raw, parseMode, entities)
  if (formatted.text.length > MAX_CAPTION_LENGTH) throw badRequest("message caption is too long")
  return formatted
}

const INLINE_ACTIONS = [
  "callback_data",
  "url",
  "switch_inline_query",
  "switch_inline_query_current_chat",
  "switch_inline_query_chosen_chat",
  "web_app",
  "login_url",
  "callback_game",
  "pay",
  "copy_text",
]

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const rowsOf = (value: unknown, field: string): unknown[][] => {
  if (!Array.isArray(value) || !value.every(Array.isArray)) {
    throw badRequest(`field "${field}" of the keyboard markup must be an Array of Arrays`)
  }
  return value
}

/**
 * Validates reply_markup like Telegram and returns it parsed (form transports send it as a JSON string).
 * An inline keyboard without buttons counts as no markup, as in Telegram.
 */
export function validateReplyMarkup(raw: unknown): Record<string, unknown> | undefined {
  if (raw === undefined || raw === null || raw === "") return undefined
  let markup: unknown = raw
  if (typeof raw === "string") {
    try {
      markup = JSON.parse(raw)
    } catch {
      throw badRequest("can't parse reply keyboard markup JSON object")
    }
  }
  if (!isRecord(markup)) throw badRequest("can't parse reply keyboard markup JSON object")
  if ("inline_keyboard" in markup) {
    const rows = rowsOf(markup.inline_keyboard, "inline_keyboard")
    for (const button of rows.flat()) validateInlineButton(button)
    return rows.flat().length === 0 ? undefined : markup
  }
  if ("keyboard" in markup) {
    for (const button of rowsOf(markup.keyboard, "keyboard").flat()) {
      const text = typeof button === "string" ? button : isRecord(button) ? button.text : undefined
      if (typeof text !== "string") throw badRequest(`can't parse keyboard button: Can't find field "text"`)
      if (text.trim() === "") throw badRequest("BUTTON_TEXT_INVALID")
    }
    const placeholder = markup.input_field_placeholder
    if (placeholder !== undefined && (typeof placeholder !== "string" || placeholder.length > 64)) {
      throw badRequest("input_field_placeholder must be 0-64 characters long")
    }
    return markup
  }
  if (markup.remove_keyboard === true || markup.force_reply === true) return markup
  throw badRequest("can't parse reply keyboard markup JSON object")
}

function validateInlineButton(button: unknown): void {
  if (!isRecord(button))
    throw badRequest("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
  if (typeof button.text !== "string")
    throw badRequest(`can't parse inline keyboard button: Can't find field "text"`)
  if (button.text.trim() === "") throw badRequest("BUTTON_TEXT_INVALID")
  if (!INLINE_ACTIONS.some((key) => button[key] !== undefined)) {
    throw badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
  }
  if (button.callback_data !== undefined) {
    const data = button.callback_data
    const bytes = typeof data === "string" ? Buffer.byteLength(data, "utf8") : 0
    if (bytes < 1 || bytes > 64) throw badRequest("BUTTON_DATA_INVALID")
  }
  if (button.url !== undefined && (typeof button.url !== "string" || button.url.trim() === "")) {
    throw badRequest("BUTTON_URL_INVALID")
  }
}

export function sameMarkup(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null)
}

export function sameEntities(a: TextEntity[] | undefined, b: TextEntity[] | undefined): boolean {
  return JSON.stringify(a ?? []) === JSON.stringify(b ?? [])
}
