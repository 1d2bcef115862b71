import { describe, expect, test } from "bun:test"
import { readAtMost } from "../../src/lib/read-at-most"

const streamOf = (...chunks: number[]) => {
  let pulled = 0
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      const size = chunks[pulled++]
      if (size === undefined) controller.close()
      else controller.enqueue(new Uint8Array(size).fill(pulled))
    },
  })
  return { stream, pulled: () => pulled }
}

describe("readAtMost", () => {
  test("a body within the limit → all of it, in order", async () => {
    const { stream } = streamOf(3, 2)
    expect([...((await readAtMost(stream, 0, 5)) ?? [])]).toEqual([1, 1, 1, 2, 2])
  })

  test("a body that runs past the limit → null, and no more chunks are pulled", async () => {
    const { stream, pulled } = streamOf(4, 4, 4, 4, 4, 4)
    expect(await readAtMost(stream, 0, 6)).toBeNull()
    expect(pulled()).toBeLessThanOrEqual(3)
  })

  test("a declared length over the limit → null before reading anything; no body → empty", async () => {
    const { stream, pulled } = streamOf(1)
    expect(await readAtMost(stream, 10, 5)).toBeNull()
    expect(pulled()).toBe(0)
    expect(await readAtMost(null, 0, 5)).toEqual(new Uint8Array(0))
  })
})
