import { lookupMethod } from "./fake-bot-api/methods"
import { intParam, jsonParam } from "./fake-bot-api/params"
import { type ParsedRequest, parseRequest } from "./fake-bot-api/request"
import { FakeState, type WebhookState } from "./fake-bot-api/store"
import {
  ApiError,
  type BotUser,
  Described,
  type Fault,
  type RecordedCall,
  type SentMessage,
} from "./fake-bot-api/types"

export { inlineButtons, replyKeyboard } from "./fake-bot-api/keyboards"
export type { Fault, RecordedCall, SentFile, SentMessage, TextEntity } from "./fake-bot-api/types"
export type { WebhookState }

export interface FakeBotApi {
  /** apiRoot for grammY, e.g. "http://127.0.0.1:41234". */
  url: string
  /** Every call in arrival order, including failed and injected ones; in-flight calls have status 0. */
  calls: RecordedCall[]
  callsOf(method: string): RecordedCall[]
  /**
   * Resolves with the first completed call (already recorded or future) of `method` that matches;
   * rejects after timeoutMs (default 5000) with a message listing the methods seen so far.
   */
  waitFor(method: string, predicate?: (c: RecordedCall) => boolean, timeoutMs?: number): Promise<RecordedCall>
  /** Messages the bot has sent/edited in a chat, as the user sees them now (deleted ones flagged). */
  chat(chatId: number): SentMessage[]
  /** Queue an update for getUpdates (long polling). update_id is assigned if missing (increasing). */
  pushUpdate(update: object): number
  /** Registers an update delivered by another route (the webhook), so its message exists in the chat. */
  acceptIncoming(update: object): void
  /** Next message id for a user's message in this chat (shared counter with the bot's messages). */
  nextUserMessageId(chatId: number): number
  /** Whether the bot deleted this user message. */
  userMessageDeleted(chatId: number, messageId: number): boolean
  /**
   * Fault injection: the next `times` calls of `method` fail like Telegram does. "*" matches any method
   * except getUpdates (a polling loop would consume it at random); name getUpdates explicitly instead.
   */
  failNext(
    method: string,
    fault:
      | { status: 429; retryAfter: number }
      | { status: 500 | 502 | 503 }
      | { status: 400 | 403; description: string },
    times?: number,
  ): void
  /** The next `times` calls of `method` ("*" as in failNext) are answered `ms` later. */
  delayNext(method: string, ms: number, times?: number): void
  /** Register a file for getFile + download; `size` fakes a bigger size than the bytes. */
  addFile(
    bytes: Uint8Array,
    opts?: { fileId?: string; fileUniqueId?: string; filePath?: string; size?: number; servedBytes?: number },
  ): { file_id: string; file_unique_id: string }
  /** How many times the bot started downloading this file. */
  downloadsOf(fileId: string): number
  /** More than perSecond send* calls within any 1 s window → 429 retry_after 1. Off (null) by default. */
  setRateLimit(perSecond: number | null): void
  /** send* and edit* calls to this chat answer 403 "Forbidden: bot was blocked by the user". */
  blockChat(chatId: number): void
  unblockChat(chatId: number): void
  /** The webhook set through setWebhook (with its secret_token), or null. */
  readonly webhook: WebhookState | null
  /** Clears calls, messages, update queue, faults, delays, rate limit, blocked chats, webhook and commands. */
  reset(): void
  stop(): Promise<void>
}

export interface FakeBotApiOptions {
  botId?: number
  username?: string
}

interface CallWaiter {
  matches(call: RecordedCall): boolean
  resolve(call: RecordedCall): void
}

const FAULT_DESCRIPTIONS: Record<number, string> = {
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
}

function faultError(fault: Fault): ApiError {
  if (fault.status === 429) {
    return new ApiError(429, `Too Many Requests: retry after ${fault.retryAfter}`, {
      retry_after: fault.retryAfter,
    })
  }
  if (fault.status === 400 || fault.status === 403) return new ApiError(fault.status, fault.description)
  return new ApiError(fault.status, FAULT_DESCRIPTIONS[fault.status] ?? "Internal Server Error")
}

const json = (body: unknown, status: number): Response => Response.json(body, { status })

/** What Telegram's per-second limit counts for a call: an album is one message per item. */
const messagesIn = (method: string, { params }: ParsedRequest): number => {
  if (method !== "sendMediaGroup") return 1
  const media = jsonParam(params.media)
  return Array.isArray(media) ? Math.max(1, media.length) : 1
}

/** Shows upload parts sent under their own field name (not via attach://) in the recorded params. */
function recordedParams({ params, files }: ParsedRequest): Record<string, unknown> {
  const attached = new Set(
    Object.values(params).flatMap((v) =>
      typeof v === "string" && v.startsWith("attach://") ? [v.slice(9)] : [],
    ),
  )
  const recorded = { ...params }
  for (const [name, file] of files) {
    if (attached.has(name) || name in recorded) continue
    recorded[name] = { filename: file.filename, size: file.bytes.byteLength, mime: file.mime }
  }
  return recorded
}

export async function startFakeBotApi(opts: FakeBotApiOptions = {}): Promise<FakeBotApi> {
  const bot: BotUser = {
    id: opts.botId ?? 7000001,
    is_bot: true,
    first_name: "EMCO",
    username: opts.username ?? "emco_test_bot",
  }
  const state = new FakeState(bot)
  const calls: RecordedCall[] = []
  let waiters: CallWaiter[] = []

  const complete = (call: RecordedCall, status: number, response: unknown) => {
    call.status = status
    call.response = response
    const ready = waiters.filter((w) => w.matches(call))
    waiters = waiters.filter((w) => !ready.includes(w))
    for (const w of ready) w.resolve(call)
  }

  async function execute(
    method: string,
    parsed: ParsedRequest,
    signal: AbortSignal,
  ): Promise<[number, unknown]> {
    const { name, handler } = lookupMethod(method)
    try {
      const delay = state.takeDelay(name)
      if (delay !== undefined) await Bun.sleep(delay)
      // A caller gone while its request was held (a killed bot mid-upload): Telegram never got it whole.
      if (signal.aborted) return [499, { ok: false, error_code: 499, description: "client closed request" }]
      const fault = state.takeFault(name)
      if (fault) throw faultError(fault)
      if (!handler) throw new ApiError(404, "Not Found: method not found")
      if (name.startsWith("send") && !state.admitSend(Date.now(), messagesIn(name, parsed))) {
        throw new ApiError(429, "Too Many Requests: retry after 1", { retry_after: 1 })
      }
      const chatId = intParam(parsed.params.chat_id)
      if (/^(send|edit)/.test(name) && chatId !== undefined && state.blocked.has(chatId)) {
        throw new ApiError(403, "Forbidden: bot was blocked by the user")
      }
      const result = await handler({ params: parsed.params, files: parsed.files, state, signal })
      if (result instanceof Described) {
        return [200, { ok: true, result: result.result, description: result.description }]
      }
      return [200, { ok: true, result }]
    } catch (error) {
      if (error instanceof ApiError) return [error.status, error.toBody()]
      const message = error instanceof Error ? error.message : String(error)
      return [500, { ok: false, error_code: 500, description: `Internal Server Error: ${message}` }]
    }
  }

  async function handleApi(req: Request, url: URL, token: string, rawMethod: string): Promise<Response> {
    const { name } = lookupMethod(rawMethod)
    const call: RecordedCall = {
      method: name,
      params: {},
      at: Date.now(),
      token,
      response: undefined,
      status: 0,
    }
    calls.push(call)
    let parsed: ParsedRequest
    try {
      parsed = await parseRequest(req, url)
    } catch (error) {
      const apiError =
        error instanceof ApiError ? error : new ApiError(400, "Bad Request: can't parse request")
      complete(call, apiError.status, apiError.toBody())
      return json(apiError.toBody(), apiError.status)
    }
    call.params = recordedParams(parsed)
    const [status, body] = await execute(rawMethod, parsed, req.signal)
    complete(call, status, body)
    return json(body, status)
  }

  function handleDownload(path: string): Response {
    const file = state.filesByPath.get(decodeURIComponent(path))
    if (!file) return json({ ok: false, error_code: 404, description: "Not Found" }, 404)
    file.downloads++
    const body = file.servedBytes === undefined ? file.bytes : oversized(file.bytes, file.servedBytes)
    return new Response(body, { headers: { "content-type": "application/octet-stream" } })
  }

  /** Streams `bytes` and then zeros up to `total` bytes, generated as read (nothing that size is held here). */
  const oversized = (bytes: Uint8Array, total: number) => {
    const chunk = new Uint8Array(1 << 20)
    let sent = 0
    return new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= total) return controller.close()
        const part = sent === 0 ? bytes : chunk.subarray(0, Math.min(chunk.length, total - sent))
        sent += part.byteLength
        controller.enqueue(part)
      },
    })
  }

  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    // Long polling holds requests open for up to `timeout` seconds; Bun's default idle timeout is 10 s.
    idleTimeout: 0,
    fetch(req) {
      const url = new URL(req.url)
      const download = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname)
      if (download?.[2] !== undefined && (req.method === "GET" || req.method === "HEAD")) {
        return handleDownload(download[2])
      }
      const api = /^\/bot([^/]+)\/([A-Za-z0-9_]+)\/?$/.exec(url.pathname)
      if (api?.[1] !== undefined && api[2] !== undefined) {
        return handleApi(req, url, decodeURIComponent(api[1]), api[2])
      }
      return json({ ok: false, error_code: 404, description: "Not Found" }, 404)
    },
  })

  return {
    url: `http://127.0.0.1:${server.port}`,
    calls,
    callsOf: (method) => calls.filter((c) => c.method.toLowerCase() === method.toLowerCase()),
    waitFor(method, predicate, timeoutMs = 5000) {
      const matches = (call: RecordedCall): boolean => {
        if (call.method.toLowerCase() !== method.toLowerCase()) return false
        try {
          return predicate?.(call) ?? true
        } catch {
          // A throwing predicate must not break the server's answer to the bot.
          return false
        }
      }
      const existing = calls.find((c) => c.status !== 0 && matches(c))
      if (existing) return Promise.resolve(existing)
      return new Promise((resolve, reject) => {
        const entry: CallWaiter = {
          matches,
          resolve: (call) => {
            clearTimeout(timer)
            resolve(call)
          },
        }
        const timer = setTimeout(() => {
          waiters = waiters.filter((w) => w !== entry)
          const counts = new Map<string, number>()
          for (const c of calls) counts.set(c.method, (counts.get(c.method) ?? 0) + 1)
          const seen = [...counts].map(([m, n]) => (n > 1 ? `${m} ×${n}` : m)).join(", ") || "none"
          const what = predicate ? `a matching ${method} call` : `a ${method} call`
          reject(new Error(`fake Bot API: waited ${timeoutMs} ms for ${what}; methods seen so far: ${seen}`))
        }, timeoutMs)
        waiters.push(entry)
      })
    },
    chat: (chatId) => structuredClone(state.messages.get(chatId) ?? []),
    pushUpdate: (update) => state.pushUpdate(update),
    acceptIncoming: (update) => state.acceptIncoming({ ...update }),
    nextUserMessageId: (chatId) => state.nextIncomingId(chatId),
    userMessageDeleted: (chatId, messageId) => state.deletedIncoming.get(chatId)?.has(messageId) ?? false,
    failNext: (method, fault, times = 1) => state.addFault(method, fault, times),
    delayNext: (method, ms, times = 1) => state.addDelay(method, ms, times),
    downloadsOf: (fileId) => state.files.get(fileId)?.downloads ?? 0,
    addFile(bytes, fileOpts = {}) {
      const file = state.registerFile(bytes, fileOpts)
      return { file_id: file.file_id, file_unique_id: file.file_unique_id }
    },
    setRateLimit(perSecond) {
      state.rateLimit = perSecond
    },
    blockChat(chatId) {
      state.blocked.add(chatId)
    },
    unblockChat(chatId) {
      state.blocked.delete(chatId)
    },
    get webhook() {
      return state.webhook ? { ...state.webhook } : null
    },
    reset() {
      calls.length = 0
      state.reset()
    },
    async stop() {
      state.wakePolls()
      await server.stop(true)
    },
  }
}
