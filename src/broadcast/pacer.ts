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
 * Paces sends just under Telegram's per-second limit, in two steps around the recipient's mark:
 * - `take` (before the mark): a token bucket of size one, slots at least 1000/rate ms apart;
 * - `window` (right before the send): at most ⌈rate⌉ sends start in any window of ~1 s.
 * The slots alone let a send whose mark stalled (a slow commit) go out late and the next one right after it, so 31
 * sends could fall into one second and draw a 429 (a second's pause); the window holds such a catch-up back.
 * `pauseFor` (a 429's retry_after) holds every further send back.
 */
export class Pacer {
  private next = 0
  private readonly intervalMs: number
  private readonly starts: number[] = []
  constructor(private readonly ratePerSecond: number) {
    this.intervalMs = 1000 / ratePerSecond
  }

  async take(signal?: AbortSignal) {
    const now = await this.until(() => this.next, signal)
    this.next = now + this.intervalMs
  }

  async window() {
    const limit = Math.ceil(this.ratePerSecond)
    const now = await this.until(() => (this.starts.length < limit ? 0 : this.starts[0]! + WINDOW_MS))
    this.starts.push(now)
    if (this.starts.length > limit) this.starts.shift()
  }

  pauseFor(ms: number) {
    this.next = Math.max(this.next, performance.now() + ms)
  }

  /** Waits until `at()` has passed; returns the time then. */
  private async until(at: () => number, signal?: AbortSignal) {
    for (;;) {
      const now = performance.now()
      if (now >= at()) return now
      // Timers wake a millisecond or two late, which at 30 sends a second costs ~5 % of the rate: sleep to just
      // before the moment, then yield to the event loop until it comes.
      const wait = at() - now
      if (wait > 3) await sleep(wait - 2, signal)
      else await new Promise<void>((resolve) => setImmediate(resolve))
    }
  }
}
