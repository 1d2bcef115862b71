import type { TextEntity } from "./types"

export type HtmlParseResult =
  | { ok: true; text: string; entities: TextEntity[] }
  | { ok: false; error: string }

const ENTITY_TYPES: Record<string, string> = {
  b: "bold",
  strong: "bold",
  i: "italic",
  em: "italic",
  u: "underline",
  ins: "underline",
  s: "strikethrough",
  strike: "strikethrough",
  del: "strikethrough",
  span: "spoiler",
  "tg-spoiler": "spoiler",
  a: "text_link",
  code: "code",
  pre: "pre",
  blockquote: "blockquote",
  "tg-emoji": "custom_emoji",
}

const NAMED_ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"' }

interface OpenTag {
  name: string
  begin: number
  start: number
  attrs: Map<string, string>
  language?: string
}

const isSpace = (c: string): boolean =>
  c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f" || c === "\v"

const byteOffset = (source: string, pos: number): number => Buffer.byteLength(source.slice(0, pos), "utf8")

/**
 * Decodes the character entity starting at `pos` (which holds "&"), following tdlib: only &lt; &gt; &amp;
 * &quot; and numeric references, with an optional ";".
 */
function decodeEntity(s: string, pos: number): { value: string; end: number } | null {
  let end = pos + 1
  let value: string | undefined
  if (s.charAt(end) === "#") {
    end++
    const hex = s.charAt(end) === "x"
    if (hex) end++
    const digitsStart = end
    const digit = hex ? /[0-9a-fA-F]/ : /[0-9]/
    while (end < s.length && digit.test(s.charAt(end))) {
      end++
      if (end - digitsStart > 8) return null
    }
    if (end === digitsStart) return null
    const code = Number.parseInt(s.slice(digitsStart, end), hex ? 16 : 10)
    if (code === 0 || code >= 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return null
    value = String.fromCodePoint(code)
  } else {
    while (end < s.length && /[A-Za-z]/.test(s.charAt(end))) end++
    value = NAMED_ENTITIES[s.slice(pos + 1, end)]
    if (value === undefined) return null
  }
  if (s.charAt(end) === ";") end++
  return { value, end }
}

/**
 * Parses Telegram-flavoured HTML the way the Bot API does (tdlib's parse_html) and returns the visible text
 * with its entities (UTF-16 offsets). Deliberately stricter than Telegram in one point: a bare "&" that does
 * not start a supported entity is an error, because the Bot API docs require escaping it.
 */
export function parseHtml(s: string): HtmlParseResult {
  const n = s.length
  const stack: OpenTag[] = []
  const entities: TextEntity[] = []
  let out = ""
  const fail = (error: string): HtmlParseResult => ({ ok: false, error })
  const at = (pos: number): string => `at byte offset ${byteOffset(s, pos)}`
  const skipSpaces = (i: number): number => {
    let j = i
    while (j < n && isSpace(s.charAt(j))) j++
    return j
  }

  let i = 0
  while (i < n) {
    const c = s.charAt(i)
    if (c === "&") {
      const decoded = decodeEntity(s, i)
      if (!decoded)
        return fail(`Unsupported character entity ${at(i)}; a bare "&" must be escaped as "&amp;"`)
      out += decoded.value
      i = decoded.end
      continue
    }
    if (c !== "<") {
      out += c
      i++
      continue
    }
    const begin = i
    i++
    if (i >= n) return fail(`Unclosed start tag ${at(begin)}`)

    if (s.charAt(i) !== "/") {
      const nameStart = i
      while (i < n && !isSpace(s.charAt(i)) && s.charAt(i) !== ">") i++
      if (i >= n) return fail(`Unclosed start tag ${at(begin)}`)
      const name = s.slice(nameStart, i).toLowerCase()
      if (!(name in ENTITY_TYPES)) return fail(`Unsupported start tag "${name}" ${at(begin)}`)
      const attrs = new Map<string, string>()
      while (s.charAt(i) !== ">") {
        i = skipSpaces(i)
        if (i >= n) return fail(`Unclosed start tag ${at(begin)}`)
        if (s.charAt(i) === ">") break
        const attrStart = i
        while (i < n && !isSpace(s.charAt(i)) && s.charAt(i) !== "=" && s.charAt(i) !== ">") i++
        const attrName = s.slice(attrStart, i).toLowerCase()
        if (attrName === "") return fail(`Empty attribute name in the tag "${name}" ${at(begin)}`)
        i = skipSpaces(i)
        if (i >= n) return fail(`Unclosed start tag ${at(begin)}`)
        if (s.charAt(i) !== "=") {
          if (name === "blockquote" && attrName === "expandable") {
            attrs.set(attrName, "")
            continue
          }
          return fail(`Expected equal sign in declaration of an attribute of the tag "${name}" ${at(begin)}`)
        }
        i = skipSpaces(i + 1)
        if (i >= n) return fail(`Unclosed start tag ${at(begin)}`)
        let value = ""
        const quote = s.charAt(i)
        if (quote !== '"' && quote !== "'") {
          const tokenStart = i
          while (i < n && /[A-Za-z0-9.-]/.test(s.charAt(i))) i++
          value = s.slice(tokenStart, i).toLowerCase()
          if (i < n && !isSpace(s.charAt(i)) && s.charAt(i) !== ">") {
            return fail(`Unexpected end of name token ${at(tokenStart)}`)
          }
        } else {
          i++
          while (i < n && s.charAt(i) !== quote) {
            // Attribute values are lenient like tdlib: URLs with raw "&" are common and accepted.
            const decoded = s.charAt(i) === "&" ? decodeEntity(s, i) : null
            if (decoded) {
              value += decoded.value
              i = decoded.end
            } else {
              value += s.charAt(i)
              i++
            }
          }
          if (i < n) i++
        }
        if (i >= n) return fail(`Unclosed start tag ${at(begin)}`)
        attrs.set(attrName, value)
      }
      i++
      if (name === "span" && attrs.get("class") !== "tg-spoiler") {
        return fail(`Tag "span" must have class "tg-spoiler" ${at(begin)}`)
      }
      if (name === "a" && !attrs.has("href")) return fail(`Tag "a" must have attribute "href" ${at(begin)}`)
      if (name === "tg-emoji" && !/^[1-9][0-9]*$/.test(attrs.get("emoji-id") ?? "")) {
        return fail("Invalid custom emoji identifier specified")
      }
      stack.push({ name, begin, start: out.length, attrs })
      continue
    }

    i++
    const open = stack.pop()
    if (!open) return fail(`Unexpected end tag ${at(begin)}`)
    const nameStart = i
    while (i < n && !isSpace(s.charAt(i)) && s.charAt(i) !== ">") i++
    const endName = s.slice(nameStart, i).toLowerCase()
    i = skipSpaces(i)
    if (i >= n || s.charAt(i) !== ">") return fail(`Unclosed end tag ${at(begin)}`)
    i++
    if (endName !== "" && endName !== open.name) {
      return fail(`Unmatched end tag ${at(begin)}, expected "</${open.name}>", found "</${endName}>"`)
    }
    const entity = toEntity(open, out.length, stack[stack.length - 1])
    if (entity) entities.push(entity)
  }
  const unclosed = stack[stack.length - 1]
  if (unclosed) return fail(`Can't find end tag corresponding to start tag "${unclosed.name}"`)
  entities.sort((a, b) => a.offset - b.offset || b.length - a.length)
  return { ok: true, text: out, entities }
}

function toEntity(open: OpenTag, end: number, parent: OpenTag | undefined): TextEntity | null {
  const length = end - open.start
  const language = open.attrs.get("class")?.match(/^language-(.+)$/)?.[1]
  if (open.name === "code" && parent?.name === "pre") {
    // <pre><code class="language-x"> is one pre entity carrying the language, as in Telegram.
    if (language) parent.language = language
    return null
  }
  if (length === 0) return null
  const entity: TextEntity = { type: ENTITY_TYPES[open.name] ?? "bold", offset: open.start, length }
  if (open.name === "a") entity.url = open.attrs.get("href") ?? ""
  if (open.name === "pre" && open.language) entity.language = open.language
  if (open.name === "blockquote" && open.attrs.has("expandable")) entity.type = "expandable_blockquote"
  if (open.name === "tg-emoji") entity.custom_emoji_id = open.attrs.get("emoji-id") ?? ""
  return entity
}
