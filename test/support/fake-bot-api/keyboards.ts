import type { SentMessage } from "./types"

/** Inline keyboard buttons of a message, flattened row by row. */
export function inlineButtons(
  msg: SentMessage,
): Array<{ text: string; callback_data?: string; url?: string }> {
  const markup = msg.reply_markup
  if (typeof markup !== "object" || markup === null || !("inline_keyboard" in markup)) return []
  const rows = markup.inline_keyboard
  if (!Array.isArray(rows)) return []
  return rows.flat().flatMap((button: unknown) => {
    if (typeof button !== "object" || button === null) return []
    const { text, callback_data, url } = button as Record<string, unknown>
    if (typeof text !== "string") return []
    const flat: { text: string; callback_data?: string; url?: string } = { text }
    if (typeof callback_data === "string") flat.callback_data = callback_data
    if (typeof url === "string") flat.url = url
    return [flat]
  })
}

/** Button texts of a reply keyboard attached to the message, flattened; undefined when there is none. */
export function replyKeyboard(msg: SentMessage): string[] | undefined {
  const markup = msg.reply_markup
  if (typeof markup !== "object" || markup === null || !("keyboard" in markup)) return undefined
  const rows = markup.keyboard
  if (!Array.isArray(rows)) return undefined
  return rows.flat().flatMap((button: unknown) => {
    if (typeof button === "string") return [button]
    if (
      typeof button === "object" &&
      button !== null &&
      typeof (button as { text?: unknown }).text === "string"
    ) {
      return [(button as { text: string }).text]
    }
    return []
  })
}
