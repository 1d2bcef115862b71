export class Aborted extends Error {}

export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(new Aborted())
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      reject(new Aborted())
    }
    signal?.addEventListener("abort", onAbort, { once: true })
  })

/** Slack on top of the one-second window, for the way from our clock to Telegram's (a request's own jitter). */
const WINDOW_MS = 1020
/**
 * Once the bot posted more than `QUIET_REPLIES` replies in the last two seconds, broadcasts leave `REPLY_ROOM` of
 * each second's sends free: an admin's quick clicks or a lone learner cost a broadcast nothing, people talking to
 * the bot get room for a burst.
 */
const REPLY_ROOM = 10
const QUIET_REPLIES = 5
/** Replies are counted per quarter second over the last two (a ring): O(1) on every reply, the hot path's too. */
const BUCKET_MS = 250
const BUCKETS = 8

/**
 * Paces a bot's broadcast sends just under Telegram's per-second limit, in two steps around the recipient's mark:
 * - `take` (before the mark): a token bucket of size one, slots at least 1000/rate ms apart;
 * - `window` (right before the send): at most ⌈rate⌉ sends start in any window of ~1 s, the bot's replies
 *   (`reply`, never held back) counted in, and fewer while people are talking to the bot.
 * The slots alone let a send whose mark stalled (a slow commit) go out late and the next one right after it, so 31
 * sends could fall into one second and draw a 429 (a second's pause); the window holds such a catch-up back. The
 * room keeps a burst of replies (ten people pressing a button at once) under the limit too: a reply that draws a
 * 429 waits for Telegram's retry_after. `pauseFor` (a 429's retry_after) holds every further broadcast send back.
 */
export class Pacer {
  private next = 0
  private readonly intervalMs: number
  private readonly starts: number[] = []
  private readonly replyCounts = new Array<number>(BUCKETS).fill(0)
  private newestBucket = 0
  constructor(private readonly ratePerSecond: number) {
    this.intervalMs = 1000 / ratePerSecond
  }

  /** The next slot for `messages` (an album takes one per file); checked and taken in one step, like `window`. */
  async take(messages = 1, signal?: AbortSignal) {
    for (;;) {
      const now = performance.now()
      const at = this.next
      if (now >= at) {
        this.next = now + this.intervalMs * messages
        return
      }
      await this.until(at, signal)
    }
  }

  /** Waits until `messages` more fit in the window (an album is one per file), then counts them. */
  async window(messages = 1) {
    // At most one window long: replies alone past the limit must not stall a broadcast (and its cancel) for good.
    const latest = performance.now() + WINDOW_MS
    for (;;) {
      const now = performance.now()
      this.advanceTo(now)
      const replies = this.replyCounts.reduce((sum, n) => sum + n, 0)
      const room = replies > QUIET_REPLIES ? REPLY_ROOM : 0
      const limit = Math.max(1, Math.ceil(this.ratePerSecond) - room)
      // Room for `messages`: the one that many places back from the limit has left the window.
      const back = Math.max(1, limit - messages + 1)
      const at =
        this.starts.length < back ? 0 : Math.min(latest, this.starts[this.starts.length - back]! + WINDOW_MS)
      // Checked and counted in one step: callers waiting at once (two broadcasts, albums) must not all see room.
      if (now >= at) {
        this.count(messages)
        return
      }
      await this.until(at)
    }
  }

  /**
   * A call of the bot's own client, before each attempt: an album (an export's files, no answer to a tap, up to ten
   * messages at once) waits as that many broadcast sends, its slots first, then room in the second; any other
   * message is a reply, counted and never held back. Undefined when nothing waits.
   */
  beforeCall(method: string, payload: unknown, signal?: AbortSignal): Promise<void> | undefined {
    const posted = messagesPosted(method, payload)
    if (method === "sendMediaGroup") return this.take(posted, signal).then(() => this.window(posted))
    if (posted > 0) this.reply(posted)
    return undefined
  }

  /** Messages the bot posts outside the pacer (a reply): never held back, they count against the broadcasts. */
  reply(messages = 1) {
    const now = performance.now()
    this.advanceTo(now)
    this.replyCounts[this.newestBucket % BUCKETS]! += messages
    this.count(messages)
  }

  /** Empties the buckets that fell out of the last two seconds. */
  private advanceTo(now: number) {
    const bucket = Math.floor(now / BUCKET_MS)
    for (let b = Math.max(this.newestBucket + 1, bucket - BUCKETS + 1); b <= bucket; b++)
      this.replyCounts[b % BUCKETS] = 0
    this.newestBucket = Math.max(this.newestBucket, bucket)
  }

  /** Records `messages` sends starting now; only the last ⌈rate⌉ starts matter to the window. */
  private count(messages: number) {
    const now = performance.now()
    for (let i = 0; i < messages; i++) this.starts.push(now)
    const excess = this.starts.length - Math.ceil(this.ratePerSecond)
    if (excess > 0) this.starts.splice(0, excess)
  }

  pauseFor(ms: number) {
    this.next = Math.max(this.next, performance.now() + ms)
  }

  /** Waits until the moment `at` (performance.now() time) has passed. */
  private async until(at: number, signal?: AbortSignal) {
    for (;;) {
      const now = performance.now()
      if (now >= at) return
      // Timers wake a millisecond or two late, which at 30 sends a second costs ~5 % of the rate: sleep to just
      // before the moment, then yield to the event loop until it comes.
      const wait = at - now
      if (wait > 3) await sleep(wait - 2, signal)
      else await new Promise<void>((resolve) => setImmediate(resolve))
    }
  }
}

/** Sends a second to different chats: just under Telegram's ~30. */
export const BROADCAST_RATE = 29.4

/** Telegram's limit is the bot's: every broadcast, nudge and reply of one token in this process shares one pacer. */
const pacers = new Map<string, Pacer>()
export const pacerFor = (token: string) => {
  const known = pacers.get(token)
  if (known) return known
  const pacer = new Pacer(BROADCAST_RATE)
  pacers.set(token, pacer)
  return pacer
}

/** Bot API methods that put a message in a chat (what Telegram's per-second limit counts). */
export const postsMessage = (method: string) =>
  (method.startsWith("send") && method !== "sendChatAction" && method !== "sendMessageDraft") ||
  method === "copyMessage" ||
  method === "forwardMessage"

/** How many messages a call puts in the chat: an album (sendMediaGroup) is one per item, as Telegram counts it. */
export const messagesPosted = (method: string, payload: unknown): number => {
  if (!postsMessage(method)) return 0
  const media = (payload as { media?: unknown } | undefined)?.media
  return method === "sendMediaGroup" && Array.isArray(media) ? Math.max(1, media.length) : 1
}
