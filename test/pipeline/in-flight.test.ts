import { describe, expect, test } from "bun:test"
import { Effect } from "effect"
import { inFlight } from "../../src/pipeline/in-flight"

const later = <A>(ms: number, value: A, fail = false) =>
  new Promise<A>((resolve, reject) => setTimeout(() => (fail ? reject(new Error("x")) : resolve(value)), ms))

describe("inFlight: the statements a drain waits for", () => {
  test("nothing tracked → settled at once", async () => {
    expect(await Effect.runPromise(inFlight().settled(1000))).toBe(true)
  })

  test("track hands the promise through; settled waits for every tracked one, failed ones included", async () => {
    const landing = inFlight()
    const ok = landing.track(later(30, 7))
    void landing.track(later(60, 0, true)).catch(() => {})
    const started = performance.now()
    expect(await Effect.runPromise(landing.settled(5000))).toBe(true)
    expect(performance.now() - started).toBeGreaterThanOrEqual(55)
    expect(await ok).toBe(7)
  })

  test("one tracked while another settles (a lease given back as its store lands) is waited for too", async () => {
    const landing = inFlight()
    let released = false
    void landing.track(
      later(20, 1).then(() => {
        void landing.track(later(40, 2).then(() => (released = true)))
      }),
    )
    expect(await Effect.runPromise(landing.settled(5000))).toBe(true)
    expect(released).toBe(true)
  })

  test("past the deadline → false, without waiting for the rest", async () => {
    const landing = inFlight()
    void landing.track(later(2000, 1))
    const started = performance.now()
    expect(await Effect.runPromise(landing.settled(50))).toBe(false)
    expect(performance.now() - started).toBeLessThan(1500)
  })
})
