/** What `abortAfter` fails with once its deadline has passed (whatever the aborted work threw). */
export class DeadlineExceeded extends Error {
  constructor(readonly ms: number) {
    super(`timed out after ${ms} ms`)
    this.name = "DeadlineExceeded"
  }
}

/** Runs `run` with a signal that aborts after `ms`; the timer is cleared as soon as `run` settles. */
export const abortAfter = <A>(ms: number, run: (signal: AbortSignal) => Promise<A>): Promise<A> => {
  const deadline = new AbortController()
  const timer = setTimeout(() => deadline.abort(), ms)
  return run(deadline.signal)
    .catch((error: unknown) => {
      throw deadline.signal.aborted ? new DeadlineExceeded(ms) : error
    })
    .finally(() => clearTimeout(timer))
}
