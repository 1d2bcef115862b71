/** Runs `run` with a signal that aborts after `ms`; the timer is cleared as soon as `run` settles. */
export const abortAfter = <A>(ms: number, run: (signal: AbortSignal) => Promise<A>): Promise<A> => {
  const deadline = new AbortController()
  const timer = setTimeout(() => deadline.abort(), ms)
  return run(deadline.signal).finally(() => clearTimeout(timer))
}
