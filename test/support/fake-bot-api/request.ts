import { badRequest, type Params } from "./types"

export interface UploadedFile {
  filename: string
  bytes: Uint8Array
  mime?: string
}

export interface ParsedRequest {
  params: Params
  /** Multipart file parts by part name (the `attach://name` target or the field itself). */
  files: Map<string, UploadedFile>
}

// Form and query transports carry only strings; these fields are coerced so recorded params look the same
// whatever transport the client used.
const JSON_FIELDS = new Set([
  "reply_markup",
  "entities",
  "caption_entities",
  "allowed_updates",
  "commands",
  "scope",
  "reply_parameters",
  "link_preview_options",
  "media",
])
const INTEGER_FIELDS = new Set([
  "chat_id",
  "message_id",
  "offset",
  "limit",
  "draft_id",
  "duration",
  "message_thread_id",
  "reply_to_message_id",
  "max_connections",
  "cache_time",
  "user_id",
  "from_chat_id",
  "width",
  "height",
])
const NUMBER_FIELDS = new Set(["timeout"])
const BOOLEAN_FIELDS = new Set([
  "disable_notification",
  "protect_content",
  "show_alert",
  "drop_pending_updates",
  "allow_sending_without_reply",
  "disable_web_page_preview",
  "has_spoiler",
  "disable_content_type_detection",
  "can_stop",
  "keep_on_stop",
  "allow_paid_broadcast",
  "show_caption_above_media",
])

function coerceFormValue(key: string, value: string): unknown {
  if (JSON_FIELDS.has(key)) {
    try {
      return JSON.parse(value)
    } catch {
      return value
    }
  }
  if (INTEGER_FIELDS.has(key) && /^-?\d+$/.test(value)) return Number(value)
  if (NUMBER_FIELDS.has(key) && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value)
  if (BOOLEAN_FIELDS.has(key) && (value === "true" || value === "false")) return value === "true"
  return value
}

export async function parseRequest(req: Request, url: URL): Promise<ParsedRequest> {
  const params: Params = {}
  const files = new Map<string, UploadedFile>()
  for (const [key, value] of url.searchParams) params[key] = coerceFormValue(key, value)
  const contentType = (req.headers.get("content-type") ?? "").toLowerCase()
  if (req.method !== "POST") return { params, files }

  if (contentType.startsWith("application/json")) {
    const text = await req.text()
    if (text.trim() === "") return { params, files }
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      throw badRequest("can't parse JSON encoded request parameters")
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      throw badRequest("JSON encoded request parameters must be an object")
    }
    Object.assign(params, body)
  } else if (contentType.startsWith("application/x-www-form-urlencoded")) {
    for (const [key, value] of new URLSearchParams(await req.text()))
      params[key] = coerceFormValue(key, value)
  } else if (contentType.startsWith("multipart/form-data")) {
    const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(req.headers.get("content-type") ?? "")
    const boundaryValue = boundary?.[1] ?? boundary?.[2]
    if (!boundaryValue) throw badRequest("can't parse multipart/form-data: boundary is missing")
    for (const part of parseMultipart(new Uint8Array(await req.arrayBuffer()), boundaryValue.trim())) {
      if (part.filename === undefined) {
        params[part.name] = coerceFormValue(part.name, new TextDecoder().decode(part.data))
      } else {
        const file: UploadedFile = { filename: part.filename, bytes: part.data }
        if (part.contentType) file.mime = part.contentType
        files.set(part.name, file)
      }
    }
  }
  return { params, files }
}

interface MultipartPart {
  name: string
  filename?: string
  contentType?: string
  data: Uint8Array
}

/**
 * Hand-written because grammY writes `filename=` unquoted (spaces and quotes included), which Bun's
 * `Request.formData()` truncates.
 */
export function parseMultipart(body: Uint8Array, boundary: string): MultipartPart[] {
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength)
  const first = Buffer.from(`--${boundary}`)
  const delimiter = Buffer.from(`\r\n--${boundary}`)
  const parts: MultipartPart[] = []
  let pos = buf.indexOf(first)
  if (pos < 0) throw badRequest("can't parse multipart/form-data: boundary not found")
  pos += first.length
  for (;;) {
    if (buf[pos] === 0x2d && buf[pos + 1] === 0x2d) break
    if (buf[pos] === 0x0d && buf[pos + 1] === 0x0a) pos += 2
    const next = buf.indexOf(delimiter, pos)
    if (next < 0) throw badRequest("can't parse multipart/form-data: unterminated part")
    const part = buf.subarray(pos, next)
    const headerEnd = part.indexOf("\r\n\r\n")
    const headerText = headerEnd < 0 ? part.toString("utf8") : part.subarray(0, headerEnd).toString("utf8")
    const data = headerEnd < 0 ? new Uint8Array() : new Uint8Array(part.subarray(headerEnd + 4))
    const parsed = parsePartHeaders(headerText)
    if (parsed) parts.push({ ...parsed, data })
    pos = next + delimiter.length
  }
  return parts
}

function parsePartHeaders(text: string): Omit<MultipartPart, "data"> | null {
  let disposition: string | undefined
  let contentType: string | undefined
  for (const line of text.split("\r\n")) {
    const colon = line.indexOf(":")
    if (colon < 0) continue
    const key = line.slice(0, colon).trim().toLowerCase()
    const value = line.slice(colon + 1).trim()
    if (key === "content-disposition") disposition = value
    else if (key === "content-type") contentType = value
  }
  if (!disposition) return null
  const name = /(?:^|;)\s*name=(?:"([^"]*)"|([^;]*))/i.exec(disposition)
  const nameValue = name?.[1] ?? name?.[2]?.trim()
  if (nameValue === undefined) return null
  const result: Omit<MultipartPart, "data"> = { name: nameValue }
  const extended = /;\s*filename\*=(?:UTF-8|utf-8)''([^;]*)/.exec(disposition)
  const plain = /;\s*filename=(.*)$/i.exec(disposition)
  if (extended?.[1] !== undefined) {
    result.filename = decodeURIComponent(extended[1])
  } else if (plain?.[1] !== undefined) {
    const raw = plain[1].trim()
    const quoted = /^"((?:[^"\\]|\\.)*)"/.exec(raw)
    result.filename = quoted?.[1] !== undefined ? quoted[1].replace(/\\(.)/g, "$1") : raw
  }
  if (contentType) result.contentType = contentType
  return result
}
