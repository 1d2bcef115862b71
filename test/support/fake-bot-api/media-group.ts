import { formatCaption } from "./format"
import { resolveInputFile, textFields, toTelegramMessage } from "./messages"
import { chatIdOf, type Handler, jsonParam } from "./params"
import { badRequest, type MessageKind } from "./types"

/**
 * sendMediaGroup for documents, photos and voices as Telegram answers it: 2–10 items, documents never mixed with
 * other types, each item's file by attach:// (or a known file_id) with its own caption; one message per item.
 */
export const sendMediaGroup: Handler = ({ params, files, state }) => {
  const chatId = chatIdOf(params)
  const media = jsonParam(params.media)
  if (!Array.isArray(media)) throw badRequest("can't parse media JSON object")
  if (media.length < 2 || media.length > 10) throw badRequest("wrong number of media specified")
  const kinds = new Set(media.map((m) => (m as { type?: unknown }).type))
  for (const kind of kinds)
    if (kind !== "document" && kind !== "photo" && kind !== "voice")
      throw badRequest(`unsupported media type ${String(kind)}`)
  if (kinds.has("document") && kinds.size > 1)
    throw badRequest("document can't be mixed with other media types")
  return media.map((item) => {
    const m = item as {
      type: MessageKind & ("document" | "photo" | "voice")
      media: unknown
      caption?: unknown
      parse_mode?: unknown
    }
    const file = resolveInputFile(state, { [m.type]: m.media }, files, m.type)
    const caption = formatCaption(m.caption, m.parse_mode, undefined)
    return toTelegramMessage(
      state,
      state.addMessage(chatId, { kind: m.type, ...textFields(caption, "caption"), file }),
    )
  })
}
