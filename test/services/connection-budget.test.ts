import { describe, expect, test } from "bun:test"
import { connectionBudget } from "../../src/services/db"

describe("connectionBudget (DATABASE_MAX_CONNECTIONS shared between the pools and the leader)", () => {
  test("the default 15 → 10 for the main pool, 4 for lease writes, 1 for the leader (as before the setting)", () => {
    expect(connectionBudget(15)).toEqual({ main: 10, lazy: 4, leader: 1 })
  })

  test("the smallest allowed, 6 → every part gets at least one, 6 in all", () => {
    expect(connectionBudget(6)).toEqual({ main: 3, lazy: 2, leader: 1 })
  })

  test("any total from 6 to 1000 → exactly that many in all, lease writes between 2 and 8", () => {
    for (let total = 6; total <= 1000; total++) {
      const { main, lazy, leader } = connectionBudget(total)
      expect({ total, sum: main + lazy + leader }).toEqual({ total, sum: total })
      expect(lazy).toBeGreaterThanOrEqual(2)
      expect(lazy).toBeLessThanOrEqual(8)
      expect(main).toBeGreaterThanOrEqual(3)
    }
  })
})
