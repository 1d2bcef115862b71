import { expect, test } from "bun:test"
import { answerWithin } from "../../src/lib/within"

test("answerWithin: the answer when it comes in time, a rejection when it does not", async () => {
  expect(await answerWithin(Promise.resolve(7), 50)).toBe(7)
  const never = new Promise<number>(() => {})
  await expect(answerWithin(never, 20)).rejects.toThrow("no answer within 20 ms")
  await expect(answerWithin(Promise.reject(new Error("refused")), 50)).rejects.toThrow("refused")
})
