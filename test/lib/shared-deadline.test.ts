import { describe, expect, test } from "bun:test"
import { DeadlineExceeded, type Outcome, sharedDeadline } from "../../src/lib/shared-deadline"

/** A task whose outcome the test reports by hand; counts how often it was stopped. */
const manual = <A>() => {
  let report: ((outcome: Outcome<A>) => void) | undefined
  const task = {
    stops: 0,
    start: (done: (outcome: Outcome<A>) => void) => {
      report = done
      return () => void task.stops++
    },
    report: (outcome: Outcome<A>) => report?.(outcome),
  }
  return task
}

describe("sharedDeadline", () => {
  test("done before the deadline → its value; never stopped", async () => {
    const within = sharedDeadline(50)
    const task = manual<number>()
    const result = within(task.start)
    task.report({ ok: true, value: 42 })
    expect(await result).toBe(42)
    await Bun.sleep(80)
    expect(task.stops).toBe(0)
  })

  test("done at once, inside start → its value", async () => {
    const within = sharedDeadline(50)
    const atOnce = (done: (outcome: Outcome<string>) => void) => {
      done({ ok: true, value: "now" })
      return () => {}
    }
    expect(await within(atOnce)).toBe("now")
  })

  test("still running at the deadline → DeadlineExceeded without waiting for it, stopped once; a late outcome is ignored", async () => {
    const within = sharedDeadline(20)
    const task = manual<number>()
    const started = performance.now()
    const error = await within(task.start).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DeadlineExceeded)
    expect((error as DeadlineExceeded).message).toBe("timed out after 20 ms")
    expect(performance.now() - started).toBeGreaterThanOrEqual(19)
    expect(task.stops).toBe(1)
    task.report({ ok: true, value: 1 })
    await Bun.sleep(30)
    expect(task.stops).toBe(1)
  })

  test("failing on its own before the deadline → its own error, unchanged", async () => {
    const within = sharedDeadline(1_000)
    const own = new Error("refused")
    const task = manual<number>()
    const result = within(task.start).catch((e: unknown) => e)
    task.report({ ok: false, error: own })
    expect(await result).toBe(own)
  })

  test("tasks started at different times → each stopped at its own deadline, not at another's", async () => {
    const within = sharedDeadline(400)
    const first = manual<string>()
    const second = manual<string>()
    const firstResult = within(first.start).catch((e: unknown) => e)
    await Bun.sleep(250)
    const secondResult = within(second.start)
    expect(await firstResult).toBeInstanceOf(DeadlineExceeded)
    // The first expired at ~400–500 ms; the second, started at ~250 ms, has time left until ~650 ms.
    expect(second.stops).toBe(0)
    second.report({ ok: true, value: "in time" })
    expect(await secondResult).toBe("in time")
  })

  test("a deadline that is not a positive number → refused when made", () => {
    for (const ms of [0, -1, Number.NaN, Number.POSITIVE_INFINITY])
      expect(() => sharedDeadline(ms)).toThrow(RangeError)
  })

  test("a task whose stop throws → its caller still hears DeadlineExceeded, and the next task's deadline still holds", async () => {
    const within = sharedDeadline(20)
    const throwing = within<number>(() => () => {
      throw new Error("cannot stop")
    })
    expect(await throwing.catch((e: unknown) => e)).toBeInstanceOf(DeadlineExceeded)
    const next = manual<number>()
    expect(await within(next.start).catch((e: unknown) => e)).toBeInstanceOf(DeadlineExceeded)
    expect(next.stops).toBe(1)
  })
})
