import { Effect } from "effect"
import { within } from "../lib/within"

/** Statements started and not yet answered, for a drain to wait for before it gives the leases back. */
export const inFlight = () => {
  let pending = 0
  const waiting: Array<() => void> = []
  const settle = () => {
    pending--
    if (pending === 0) for (const wake of waiting.splice(0)) wake()
  }
  return {
    /** `promise` itself, counted until it settles. */
    track: <A>(promise: Promise<A>): Promise<A> => {
      pending++
      promise.then(settle, settle)
      return promise
    },
    /** Waits until nothing counted is pending (what settles meanwhile may start more), or `ms` passed. */
    settled: (ms: number) =>
      Effect.promise(async () => {
        if (pending > 0) await within(new Promise<void>((wake) => waiting.push(wake)), ms)
        return pending === 0
      }),
  }
}
