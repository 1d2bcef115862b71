// Shared vocabulary of the fake AI servers: faults, recorded requests, scripted answers.

export type FaultStatus = 400 | 401 | 404 | 429 | 500 | 502 | 503

export type Fault =
  | { kind: "status"; status: 429; retryAfterSec?: number }
  | { kind: "status"; status: 500 | 502 | 503 | 400 | 401 | 404 }
  | { kind: "delay"; ms: number }
  | { kind: "hang" }
  | { kind: "malformed" }
  | { kind: "empty" }

/** The faults that change the body of an otherwise normal answer. */
export type BodyFault = Extract<Fault, { kind: "malformed" | "empty" }>

export interface RecordedFile {
  filename: string
  type: string
  size: number
  bytes: Uint8Array
}

export interface RecordedRequest {
  /** URL pathname, without the query string (see `query`). */
  path: string
  method: string
  query: Record<string, string>
  /** Lower-cased header names. */
  headers: Record<string, string>
  /** Parsed JSON; for multipart an object of fields (files as RecordedFile, repeated fields as arrays). */
  body: unknown
  at: number
  /** When the answer left (a successful route only): what the client waited for, less this fake's own delay. */
  answeredAt?: number
}

export interface Usage {
  input: number
  output: number
}

export interface TextAnswer {
  text: string
  usage?: Usage
}

/**
 * A string is the assistant text; `{ text, usage? }` is text with explicit token usage;
 * any other object or array is JSON-stringified (structured outputs).
 */
export type Answer = string | TextAnswer | object

export type Responder = (request: RecordedRequest) => Answer | undefined | Promise<Answer | undefined>

/** Unambiguous structured answer, for objects that would otherwise look like `{ text, usage }`. */
export function jsonAnswer(value: unknown, usage?: Usage): TextAnswer {
  return usage ? { text: JSON.stringify(value), usage } : { text: JSON.stringify(value) }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
}

function isUsage(value: unknown): value is Usage {
  return isRecord(value) && typeof value.input === "number" && typeof value.output === "number"
}

function isTextAnswer(value: unknown): value is TextAnswer {
  if (!isRecord(value) || typeof value.text !== "string") return false
  const keys = Object.keys(value)
  return (
    keys.every((k) => k === "text" || k === "usage") && (value.usage === undefined || isUsage(value.usage))
  )
}

export function normalizeAnswer(answer: Answer): TextAnswer {
  if (typeof answer === "string") return { text: answer }
  if (isTextAnswer(answer)) return answer
  return { text: JSON.stringify(answer) }
}

/** Rough token estimate (~4 characters per token), good enough for usage assertions to be non-zero. */
export function estimateTokens(value: unknown): number {
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? "")
  return Math.ceil(text.length / 4)
}

export function usageFor(answer: TextAnswer, requestPayload: unknown): Usage {
  return answer.usage ?? { input: estimateTokens(requestPayload), output: estimateTokens(answer.text) }
}

/** Splits text into up to `parts` pieces on code-point boundaries (Cyrillic and emoji stay intact). */
export function splitText(text: string, parts = 3): string[] {
  const chars = Array.from(text)
  if (chars.length === 0) return []
  const size = Math.ceil(chars.length / parts)
  const pieces: string[] = []
  for (let i = 0; i < chars.length; i += size) pieces.push(chars.slice(i, i + size).join(""))
  return pieces
}

export function randomId(prefix: string): string {
  return `${prefix}${crypto.randomUUID().replaceAll("-", "").slice(0, 24)}`
}

export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  })
}

export function sseResponse(frames: readonly string[], headers: Record<string, string> = {}): Response {
  return new Response(frames.join(""), {
    headers: { "content-type": "text/event-stream", "cache-control": "no-cache", ...headers },
  })
}

/** Starts with `{` so it looks like JSON to a content-type sniffer, then breaks off. */
export const MALFORMED_JSON = '{"id": "broken", "choices": [{"message": '

async function parseMultipart(request: Request): Promise<Record<string, unknown>> {
  const form = await request.formData()
  const fields: Record<string, unknown> = {}
  for (const [name, value] of form.entries()) {
    const parsed: unknown =
      typeof value === "string"
        ? value
        : {
            filename: value.name,
            type: value.type,
            size: value.size,
            bytes: new Uint8Array(await value.arrayBuffer()),
          }
    const previous = fields[name]
    if (previous === undefined) fields[name] = parsed
    else fields[name] = Array.isArray(previous) ? [...previous, parsed] : [previous, parsed]
  }
  return fields
}

export async function parseBody(request: Request): Promise<unknown> {
  const contentType = request.headers.get("content-type") ?? ""
  if (contentType.includes("multipart/form-data")) return parseMultipart(request)
  const text = await request.text()
  if (text === "") return undefined
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}
