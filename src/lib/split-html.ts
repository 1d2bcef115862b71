/** Telegram's limit counts visible characters (after HTML parsing) in UTF-16 code units. */
export const TELEGRAM_TEXT_LIMIT = 4096

const TOKEN = /(<\/?[a-zA-Z-]+(?:\s[^>]*)?>)|(&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);)|([^<&]+)|([<&])/g

interface Token {
  readonly kind: "open" | "close" | "text"
  readonly raw: string
  readonly visible: number
  readonly name?: string
}

const tokenize = (html: string): Token[] => {
  const out: Token[] = []
  for (const m of html.matchAll(TOKEN)) {
    if (m[1]) {
      const name = /^<\/?([a-zA-Z-]+)/.exec(m[1])![1]!.toLowerCase()
      out.push({ kind: m[1].startsWith("</") ? "close" : "open", raw: m[1], visible: 0, name })
    } else if (m[2]) out.push({ kind: "text", raw: m[2], visible: 1 })
    else out.push({ kind: "text", raw: m[0], visible: m[0].length })
  }
  return out
}

/** Where to cut plain text so the piece fits: the last paragraph, line or word break before `room`. */
const cutPoint = (text: string, room: number): number => {
  for (const sep of ["\n\n", "\n", " "]) {
    // The separator stays with the first piece, so it must fit in the room as well.
    const at = text.lastIndexOf(sep, room - sep.length)
    if (at > room / 2) return at + sep.length
  }
  const at = Math.max(1, room)
  // never split a surrogate pair
  return /[\uD800-\uDBFF]/.test(text.charAt(at - 1)) ? at - 1 : at
}

/**
 * Splits Telegram HTML into messages of at most `limit` visible characters, preferring paragraph, line and word
 * breaks. Tags open at a cut are closed at the end of one piece and reopened at the start of the next.
 */
export const splitHtml = (html: string, limit = TELEGRAM_TEXT_LIMIT): string[] => {
  // Visible characters never outnumber the raw ones: a text that fits raw is one piece (the tail below, uncut).
  if (html.length <= limit) return html.replace(/<[^>]+>/g, "").trim() !== "" ? [html.trim()] : [html]
  const pieces: string[] = []
  const open: Token[] = []
  let current = ""
  let size = 0
  const flush = () => {
    const closing = [...open]
      .reverse()
      .map((t) => `</${t.name}>`)
      .join("")
    if (current.trim() !== "") pieces.push((current + closing).trim())
    current = open.map((t) => t.raw).join("")
    size = 0
  }
  for (const token of tokenize(html)) {
    if (token.kind === "open") open.push(token)
    if (token.kind === "close") {
      const i = open.map((t) => t.name).lastIndexOf(token.name)
      if (i >= 0) open.splice(i, 1)
    }
    if (token.kind !== "text" || token.raw.startsWith("&")) {
      if (size + token.visible > limit) flush()
      current += token.raw
      size += token.visible
      continue
    }
    let text = token.raw
    while (size + text.length > limit) {
      const cut = cutPoint(text, limit - size)
      if (limit - size < limit / 4 && size > 0) {
        flush()
        continue
      }
      current += text.slice(0, cut)
      text = text.slice(cut)
      flush()
    }
    current += text
    size += text.length
  }
  const rest = current.replace(/<[^>]+>/g, "")
  if (rest.trim() !== "") pieces.push(current.trim())
  return pieces.length > 0 ? pieces : [html]
}
