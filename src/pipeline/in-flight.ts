import { Effect } from "effect"

/** Statements started and not yet answered, for a drain to wait for before it gives the leases back. */
export const inFlight = () => {
  const pending = new Set<Promise<unknown>>()
  return {
    /** `promise` itself, counted until it settles. */
    track: <A>(promise: Promise<A>): Promise<A> => {
      const settled = promise.then(
        () => undefined,
        () => undefined,
      )
      pending.add(settled)
      void settled.then(() => pending.delete(settled))
      return promise
    },
    /** Waits until nothing counted is pending (what settles meanwhile may start more), or `ms` passed. */
    settled: (ms: number) =>
      Effect.promise(async () => {
        const until = Date.now() + ms
        while (pending.size > 0 && Date.now() < until) {
          let timer: ReturnType<typeof setTimeout> | undefined
          const late = new Promise((resolve) => {
            timer = setTimeout(resolve, until - Date.now())
          })
          await Promise.race([Promise.all(pending), late])
          clearTimeout(timer)
        }
        return pending.size === 0
      }),
  }
}
