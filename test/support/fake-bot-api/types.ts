export type Params = Record<string, unknown>

export interface RecordedCall {
  method: string
  params: Record<string, unknown>
  /** Arrival time (ms since epoch). */
  at: number
  token: string
  /** The JSON body that was answered; `undefined` while the call is still in flight. */
  response: unknown
  /** HTTP status of the answer; 0 while the call is still in flight. */
  status: number
}

export interface TextEntity {
  type: string
  offset: number
  length: number
  url?: string
  language?: string
  custom_emoji_id?: string
}

export interface SentFile {
  name: string
  bytes: Uint8Array
  mime?: string
  file_id: string
  file_unique_id: string
}

export type MessageKind = "text" | "document" | "photo" | "voice"

export interface SentMessage {
  message_id: number
  chat_id: number
  /** Unix seconds of the send. */
  date: number
  kind: MessageKind
  text?: string
  /** Raw HTML source of the text or caption when parse_mode was HTML. */
  html?: string
  caption?: string
  parse_mode?: string
  entities?: TextEntity[]
  reply_markup?: unknown
  file?: SentFile
  deleted: boolean
  edits: number
}

export type Fault =
  | { status: 429; retryAfter: number }
  | { status: 500 | 502 | 503 }
  | { status: 400 | 403; description: string }

export interface ApiErrorBody {
  ok: false
  error_code: number
  description: string
  parameters?: { retry_after?: number }
}

/** An answer Telegram gives as `{ ok: false, ... }`; thrown by handlers, turned into the HTTP answer. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly description: string,
    readonly parameters?: { retry_after?: number },
  ) {
    super(description)
  }

  toBody(): ApiErrorBody {
    const body: ApiErrorBody = { ok: false, error_code: this.status, description: this.description }
    if (this.parameters) body.parameters = this.parameters
    return body
  }
}

export const badRequest = (what: string): ApiError => new ApiError(400, `Bad Request: ${what}`)

/** A successful result that Telegram answers together with a `description` (setWebhook and friends). */
export class Described {
  constructor(
    readonly result: unknown,
    readonly description: string,
  ) {}
}

export interface BotUser {
  id: number
  is_bot: true
  first_name: string
  username: string
}
