import { describe, expect, test } from "bun:test"
import { NEVER_SEEN, type StepAtReceipt } from "../../src/pipeline/at-receipt"
import { storeWithStep } from "../../src/pipeline/receipts"
import type { NewRow, Stored } from "../../src/repositories/enqueue.repo"

const row: NewRow = { chatId: 1, updateId: 1, kind: "update", payload: { update_id: 1 }, userId: 1 }
const reduced: StepAtReceipt = {
  expected: NEVER_SEEN,
  after: NEVER_SEEN,
  // A lone surrogate: JSON.stringify writes it as \ud83d, which PostgreSQL's jsonb refuses.
  step: { chatId: 1, expectedVersion: 0, commands: [{ _tag: "Reply", text: "🙂".slice(0, 1) }] },
}

/** A store that refuses any row carrying a step, as the database refuses the value in it. */
const refusingSteps = () => {
  const seen: Array<NewRow> = []
  const store = async (r: NewRow): Promise<Stored | null> => {
    seen.push(r)
    if (r.reduced) throw new Error("invalid input syntax for type json")
    return { id: 7 }
  }
  return { seen, store }
}

describe("storeWithStep", () => {
  test("a step the database refuses → the update is stored plain, not kept out", async () => {
    const { seen, store } = refusingSteps()
    expect(await storeWithStep(store, row, reduced)).toEqual({ id: 7 })
    expect(seen.map((r) => r.reduced !== undefined)).toEqual([true, false])
  })

  test("no step → one plain store; a plain store that fails → its own error", async () => {
    const { seen, store } = refusingSteps()
    expect(await storeWithStep(store, row, undefined)).toEqual({ id: 7 })
    expect(seen).toHaveLength(1)
    const down = async () => {
      throw new Error("connection refused")
    }
    await expect(storeWithStep(down, row, reduced)).rejects.toThrow("connection refused")
  })
})
