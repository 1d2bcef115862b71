import type { ApiError, BotUser, Fault, MessageKind, SentMessage } from "./types"

export interface StoredFile {
  file_id: string
  file_unique_id: string
  file_path: string
  size: number
  bytes: Uint8Array
  name?: string
  mime?: string
  /** The download streams this many bytes (the file's own, then zeros): a file bigger than getFile says. */
  servedBytes?: number
  /** How many times the file was downloaded (started). */
  downloads: number
}

export interface FileOptions {
  fileId?: string
  fileUniqueId?: string
  filePath?: string
  size?: number
  name?: string
  mime?: string
  kind?: MessageKind
  servedBytes?: number
}

export interface WebhookState {
  url: string
  secret_token?: string
  allowed_updates?: string[]
  max_connections: number
}

interface QueuedUpdate {
  update_id: number
  update: Record<string, unknown>
}

interface PollWaiter {
  wake(): void
  terminate(error: ApiError): void
}

interface Pending<T> {
  method: string
  value: T
  remaining: number
}

const FIRST_MESSAGE_ID = 1000
const FILE_ID_PREFIX: Record<MessageKind, string> = {
  text: "BQACAgIAAxkBAA",
  document: "BQACAgIAAxkBAA",
  photo: "AgACAgIAAxkBAA",
  voice: "AwACAgIAAxkBAA",
}
const FILE_DIR: Record<MessageKind, string> = {
  text: "documents",
  document: "documents",
  photo: "photos",
  voice: "voice",
}

/** Matches "*" against everything but getUpdates: a polling bot would otherwise swallow the fault at random. */
const matches = (pattern: string, method: string): boolean =>
  pattern.toLowerCase() === method.toLowerCase() || (pattern === "*" && method !== "getUpdates")

function take<T>(queue: Array<Pending<T>>, method: string): T | undefined {
  const index = queue.findIndex((entry) => matches(entry.method, method))
  const entry = queue[index]
  if (!entry) return undefined
  entry.remaining--
  if (entry.remaining <= 0) queue.splice(index, 1)
  return entry.value
}

const randomToken = (length: number): string =>
  Buffer.from(crypto.getRandomValues(new Uint8Array(length)))
    .toString("base64url")
    .slice(0, length)

export class FakeState {
  readonly messages = new Map<number, SentMessage[]>()
  readonly files = new Map<string, StoredFile>()
  readonly filesByPath = new Map<string, StoredFile>()
  readonly commands = new Map<string, unknown[]>()
  readonly blocked = new Set<number>()
  readonly knownChats = new Map<number, Record<string, unknown>>()
  /** Messages users sent (per chat), so the bot can delete them like in a real chat. */
  readonly incoming = new Map<number, Set<number>>()
  readonly deletedIncoming = new Map<number, Set<number>>()
  webhook: WebhookState | null = null
  rateLimit: number | null = null
  private readonly nextMessageIds = new Map<number, number>()
  private fileCounter = 0
  private updates: QueuedUpdate[] = []
  private nextUpdateId = 1
  private readonly pollWaiters = new Set<PollWaiter>()
  private faults: Array<Pending<Fault>> = []
  private delays: Array<Pending<number>> = []
  private sendTimes: number[] = []

  constructor(readonly bot: BotUser) {}

  addMessage(
    chatId: number,
    fields: Omit<SentMessage, "message_id" | "chat_id" | "date" | "deleted" | "edits">,
  ) {
    const messageId = this.nextMessageIds.get(chatId) ?? FIRST_MESSAGE_ID
    this.nextMessageIds.set(chatId, messageId + 1)
    const message: SentMessage = {
      message_id: messageId,
      chat_id: chatId,
      date: Math.floor(Date.now() / 1000),
      deleted: false,
      edits: 0,
      ...fields,
    }
    const list = this.messages.get(chatId) ?? []
    list.push(message)
    this.messages.set(chatId, list)
    return message
  }

  /** Allocates a message id for a user's message from the chat's shared message counter. */
  nextIncomingId(chatId: number): number {
    const messageId = this.nextMessageIds.get(chatId) ?? FIRST_MESSAGE_ID
    this.nextMessageIds.set(chatId, messageId + 1)
    return messageId
  }

  /** Remembers the chat and the user's message of an update delivered by any route (polling or webhook). */
  acceptIncoming(update: Record<string, unknown>): void {
    this.rememberChats(update)
    const message = update.message as { message_id?: unknown; chat?: { id?: unknown } } | undefined
    const chatId = message?.chat?.id
    if (typeof chatId !== "number" || typeof message?.message_id !== "number") return
    const ids = this.incoming.get(chatId) ?? new Set<number>()
    ids.add(message.message_id)
    this.incoming.set(chatId, ids)
    const next = this.nextMessageIds.get(chatId) ?? FIRST_MESSAGE_ID
    if (message.message_id >= next) this.nextMessageIds.set(chatId, message.message_id + 1)
  }

  deleteIncoming(chatId: number, messageId: number): boolean {
    if (!this.incoming.get(chatId)?.delete(messageId)) return false
    const deleted = this.deletedIncoming.get(chatId) ?? new Set<number>()
    deleted.add(messageId)
    this.deletedIncoming.set(chatId, deleted)
    return true
  }

  findMessage(chatId: number, messageId: number): SentMessage | undefined {
    return this.messages.get(chatId)?.find((m) => m.message_id === messageId && !m.deleted)
  }

  registerFile(bytes: Uint8Array, opts: FileOptions = {}): StoredFile {
    this.fileCounter++
    const kind = opts.kind ?? "document"
    const extension = /\.([A-Za-z0-9]{1,8})$/.exec(opts.name ?? "")?.[1]
    const defaultExtension = kind === "photo" ? "jpg" : kind === "voice" ? "oga" : undefined
    const ext = extension ?? defaultExtension
    const file: StoredFile = {
      file_id: opts.fileId ?? `${FILE_ID_PREFIX[kind]}${this.fileCounter}${randomToken(40)}`,
      file_unique_id: opts.fileUniqueId ?? `AgAD${this.fileCounter}${randomToken(10)}`,
      file_path: opts.filePath ?? `${FILE_DIR[kind]}/file_${this.fileCounter}${ext ? `.${ext}` : ""}`,
      size: opts.size ?? bytes.byteLength,
      bytes,
      downloads: 0,
    }
    if (opts.servedBytes !== undefined) file.servedBytes = opts.servedBytes
    if (opts.name !== undefined) file.name = opts.name
    if (opts.mime !== undefined) file.mime = opts.mime
    this.files.set(file.file_id, file)
    this.filesByPath.set(file.file_path, file)
    return file
  }

  pushUpdate(update: object): number {
    const record: Record<string, unknown> = { ...update }
    const given = record.update_id
    const id = typeof given === "number" && Number.isInteger(given) ? given : this.nextUpdateId
    this.nextUpdateId = Math.max(this.nextUpdateId, id + 1)
    record.update_id = id
    this.acceptIncoming(record)
    this.updates.push({ update_id: id, update: record })
    for (const waiter of this.pollWaiters) waiter.wake()
    return id
  }

  /** Chats seen in updates make sent messages carry the user's real chat object. */
  private rememberChats(update: Record<string, unknown>): void {
    for (const value of Object.values(update)) {
      if (typeof value !== "object" || value === null) continue
      const candidates = [value, (value as { message?: unknown }).message]
      for (const candidate of candidates) {
        const chat = (candidate as { chat?: unknown } | undefined)?.chat
        if (typeof chat === "object" && chat !== null && typeof (chat as { id?: unknown }).id === "number") {
          this.knownChats.set((chat as { id: number }).id, chat as Record<string, unknown>)
        }
      }
    }
  }

  /** Telegram semantics: an offset confirms every update below it; a negative one keeps only the last |offset|. */
  confirmUpdates(offset: number): void {
    if (offset < 0) this.updates = this.updates.slice(offset)
    else this.updates = this.updates.filter((u) => u.update_id >= offset)
  }

  pendingUpdates(limit: number): Array<Record<string, unknown>> {
    return this.updates.slice(0, limit).map((u) => u.update)
  }

  get pendingUpdateCount(): number {
    return this.updates.length
  }

  dropPendingUpdates(): void {
    this.updates = []
  }

  /** Resolves when an update is pushed, the time passes or the client goes away; rejects when terminated. */
  waitForUpdate(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const cleanup = () => {
        clearTimeout(timer)
        this.pollWaiters.delete(waiter)
        signal.removeEventListener("abort", done)
      }
      const done = () => {
        cleanup()
        resolve()
      }
      const waiter: PollWaiter = {
        wake: done,
        terminate: (error) => {
          cleanup()
          reject(error)
        },
      }
      const timer = setTimeout(done, ms)
      this.pollWaiters.add(waiter)
      signal.addEventListener("abort", done)
    })
  }

  terminatePolls(error: ApiError): void {
    for (const waiter of [...this.pollWaiters]) waiter.terminate(error)
  }

  wakePolls(): void {
    for (const waiter of [...this.pollWaiters]) waiter.wake()
  }

  addFault(method: string, fault: Fault, times: number): void {
    this.faults.push({ method, value: fault, remaining: times })
  }

  addDelay(method: string, ms: number, times: number): void {
    this.delays.push({ method, value: ms, remaining: times })
  }

  takeFault(method: string): Fault | undefined {
    return take(this.faults, method)
  }

  takeDelay(method: string): number | undefined {
    return take(this.delays, method)
  }

  /** Sliding one-second window over admitted send* calls; an album counts as its `messages` (one per file). */
  admitSend(now: number, messages = 1): boolean {
    if (this.rateLimit === null) return true
    this.sendTimes = this.sendTimes.filter((t) => now - t < 1000)
    if (this.sendTimes.length + messages > this.rateLimit) return false
    for (let i = 0; i < messages; i++) this.sendTimes.push(now)
    return true
  }

  reset(): void {
    this.messages.clear()
    this.nextMessageIds.clear()
    this.commands.clear()
    this.blocked.clear()
    this.knownChats.clear()
    this.incoming.clear()
    this.deletedIncoming.clear()
    this.webhook = null
    this.rateLimit = null
    // update_id keeps increasing: a polling bot still holds its old offset and would drop restarted ids.
    this.updates = []
    this.faults = []
    this.delays = []
    this.sendTimes = []
  }
}
