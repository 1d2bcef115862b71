import { describe, expect, test } from "bun:test"
import { makeBurstDetector } from "../../src/lib/burst"

const T0 = 1_700_000_000_000

describe("makeBurstDetector", () => {
  test("below the threshold within the window → nothing; the threshold-th event → the burst with distinct keys", () => {
    const burst = makeBurstDetector(4, 60_000)
    expect([1, 2, 1].map((key, i) => burst.note(T0 + i * 1000, key))).toEqual([null, null, null])
    expect(burst.note(T0 + 3000, 3)).toEqual({ events: 4, keys: 3 })
  })

  test("a flood → reported once per window, not once per event", () => {
    const burst = makeBurstDetector(3, 60_000)
    const reports = Array.from({ length: 30 }, (_, i) => burst.note(T0 + i * 1000, i)).filter(Boolean)
    expect(reports).toEqual([{ events: 3, keys: 3 }])
    // A minute after the report: the 27 events of the last minute and this one, reported again.
    expect(burst.note(T0 + 62_000, 99)).toEqual({ events: 28, keys: 28 })
  })

  test("events older than the window → forgotten", () => {
    const burst = makeBurstDetector(3, 60_000)
    burst.note(T0, 1)
    burst.note(T0 + 1000, 2)
    expect(burst.note(T0 + 61_000, 3)).toBeNull()
  })
})
