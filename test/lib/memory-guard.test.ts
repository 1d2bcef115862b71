import { describe, expect, test } from "bun:test"
import { memoryGuard, startMemoryGuard } from "../../src/lib/memory-guard"
import { waitFor } from "../support/wait"

const MIB = 1024 * 1024

/** A guard over a resident set the test moves by hand. */
const handMoved = () => {
  const state = { rss: 200 * MIB, collections: 0 }
  const guard = memoryGuard({ rss: () => state.rss, collect: () => state.collections++, growthMiB: 24 })
  const after = (stepMiB: number) => {
    state.rss += stepMiB * MIB
    return guard.check()
  }
  return { state, after }
}

describe("memory guard", () => {
  test("memory climbing faster than the threshold between two looks → a collection each time", () => {
    const { state, after } = handMoved()
    expect([30, 40, 0, 0, 50].map(after)).toEqual([true, true, false, false, true])
    expect(state.collections).toBe(3)
  })

  test("steady memory, slow growth, or memory falling back → no collection", () => {
    const { state, after } = handMoved()
    expect([0, 5, 10, 24, -60, 20, 0].map(after)).toEqual([false, false, false, false, false, false, false])
    expect(state.collections).toBe(0)
  })

  test("growth is measured from the last look, not from the start: many small steps never add up", () => {
    const { state, after } = handMoved()
    for (let i = 0; i < 50; i++) after(10)
    expect(state.collections).toBe(0)
  })

  test("started, it looks on its own; stopped, it never asks again", async () => {
    const state = { rss: 0, collections: 0 }
    const stop = startMemoryGuard({ rss: () => state.rss, collect: () => state.collections++, intervalMs: 5 })
    state.rss = 500 * MIB
    await waitFor("a collection asked for", () => state.collections === 1)
    stop()
    state.rss = 1000 * MIB
    await Bun.sleep(50)
    expect(state.collections).toBe(1)
  })
})
