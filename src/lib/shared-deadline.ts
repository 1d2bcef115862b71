/** What a task stopped at its deadline fails with (whatever the stopped work would have said). */
export class DeadlineExceeded extends Error {
  constructor(readonly ms: number) {
    super(`timed out after ${ms} ms`)
    this.name = "DeadlineExceeded"
  }
}

export type Outcome<A> =
  | { readonly ok: true; readonly value: A }
  | { readonly ok: false; readonly error: unknown }

/** Starts a task that reports its outcome once through `done`, and returns how to stop it. */
export type Start<A> = (done: (outcome: Outcome<A>) => void) => () => void

/**
 * Many short tasks, each within `ms`, kept by one timer instead of a timer and an AbortController per task: at the
 * webhook's intake those (and the signal's listeners) were ~2 % of the bot's CPU profile. A task still running at
 * its deadline is stopped at the next tick, at most a quarter of `ms` (and 250 ms) late; its caller hears
 * DeadlineExceeded then, without waiting for the task to wind down.
 */
export const sharedDeadline = (ms: number) => {
  if (!(ms > 0 && Number.isFinite(ms)))
    throw new RangeError(`a deadline must be a positive number of ms, not ${ms}`)
  const tickMs = Math.max(1, Math.min(250, Math.floor(ms / 4)))
  const running = new Map<object, { readonly until: number; readonly expire: () => void }>()
  let timer: ReturnType<typeof setInterval> | undefined
  const tick = () => {
    const now = performance.now()
    for (const [key, task] of running)
      if (task.until <= now) {
        running.delete(key)
        task.expire()
      }
    if (running.size === 0) {
      clearInterval(timer)
      timer = undefined
    }
  }
  return <A>(start: Start<A>): Promise<A> =>
    new Promise<A>((resolve, reject) => {
      const key = {}
      // From before the task starts: its synchronous first part counts too.
      const until = performance.now() + ms
      let settled = false
      const stop = start((outcome) => {
        if (settled) return
        settled = true
        running.delete(key)
        if (outcome.ok) resolve(outcome.value)
        else reject(outcome.error)
      })
      if (settled) return
      const expire = () => {
        settled = true
        reject(new DeadlineExceeded(ms))
        // Best effort, inside the shared timer: one task failing to stop must not stop the others' deadlines.
        try {
          stop()
        } catch {}
      }
      running.set(key, { until, expire })
      timer ??= setInterval(tick, tickMs)
    })
}
