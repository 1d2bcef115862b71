import { describe, expect, test } from "bun:test"
import { abortAfter, DeadlineExceeded } from "../../src/lib/abort-after"

const abortable = (signal: AbortSignal) =>
  new Promise<never>((_, reject) => signal.addEventListener("abort", () => reject(new Error("interrupted"))))

describe("abortAfter", () => {
  test("work done before the deadline → its value; the signal never aborts", async () => {
    let seen: AbortSignal | undefined
    const value = await abortAfter(50, async (signal) => {
      seen = signal
      return 42
    })
    expect(value).toBe(42)
    await Bun.sleep(80)
    expect(seen?.aborted).toBe(false)
  })

  test("work still running at the deadline → aborted, and the caller hears DeadlineExceeded", async () => {
    const error = await abortAfter(10, abortable).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DeadlineExceeded)
    expect((error as DeadlineExceeded).message).toBe("timed out after 10 ms")
  })

  test("work failing on its own before the deadline → its own error, unchanged", async () => {
    const own = new Error("refused")
    expect(await abortAfter(1_000, () => Promise.reject(own)).catch((e: unknown) => e)).toBe(own)
  })
})
