import type { MessageEntity } from "grammy/types"
import { escapeHtml } from "../core/html"

const attr = (s: string) => escapeHtml(s).replace(/"/g, "&quot;")

/** Entities that are one plain tag each. */
const SIMPLE_TAGS: Partial<Record<MessageEntity["type"], string>> = {
  bold: "b",
  italic: "i",
  underline: "u",
  strikethrough: "s",
  spoiler: "tg-spoiler",
  code: "code",
}

/** Opening and closing tags for the entities Telegram's HTML mode can express; null for the rest (plain text). */
const tagsOf = (e: MessageEntity): readonly [string, string] | null => {
  const tag = SIMPLE_TAGS[e.type]
  if (tag) return [`<${tag}>`, `</${tag}>`]
  switch (e.type) {
    case "pre":
      return e.language
        ? [`<pre><code class="language-${attr(e.language)}">`, "</code></pre>"]
        : ["<pre>", "</pre>"]
    case "text_link":
      return [`<a href="${attr(e.url)}">`, "</a>"]
    case "blockquote":
      return ["<blockquote>", "</blockquote>"]
    case "expandable_blockquote":
      return ["<blockquote expandable>", "</blockquote>"]
    default:
      return null
  }
}

/**
 * A message's text with its formatting entities as Telegram HTML, so it can be sent again looking the same.
 * Offsets are UTF-16 code units, as in JavaScript strings. Overlapping entities are closed and reopened around
 * each other, so the result is always well nested. Null when the text carries no formatting.
 */
export const entitiesToHtml = (text: string, entities: ReadonlyArray<MessageEntity> = []): string | null => {
  const formatted = entities
    .map((e, order) => ({ e, order, tags: tagsOf(e), end: e.offset + e.length }))
    .filter((x): x is typeof x & { tags: readonly [string, string] } => x.tags !== null && x.e.length > 0)
    .sort((a, b) => a.e.offset - b.e.offset || b.e.length - a.e.length || a.order - b.order)
  if (formatted.length === 0) return null
  const cuts = [...new Set([0, text.length, ...formatted.flatMap((x) => [x.e.offset, x.end])])]
    .filter((p) => p >= 0 && p <= text.length)
    .sort((a, b) => a - b)
  let html = ""
  let open: typeof formatted = []
  for (let i = 0; i < cuts.length - 1; i++) {
    const from = cuts[i]!
    const to = cuts[i + 1]!
    // Entities covering this piece, outermost first (the sort order). What the previous piece left open stays open
    // as far as both agree; the rest is closed innermost first and the new ones opened, so nesting stays valid.
    const covering = formatted.filter((x) => x.e.offset <= from && x.end >= to)
    let same = 0
    while (same < open.length && same < covering.length && open[same] === covering[same]) same++
    for (const x of open.slice(same).reverse()) html += x.tags[1]
    for (const x of covering.slice(same)) html += x.tags[0]
    html += escapeHtml(text.slice(from, to))
    open = covering
  }
  for (const x of open.reverse()) html += x.tags[1]
  return html
}
