import { describe, expect, test } from "bun:test"
import { confusion, flipRate, kappa, majority, precision, recall, share } from "../../eval/harness/metrics"

describe("eval metrics", () => {
  test("a textbook table (20 / 5 / 10 / 15) → precision 0.8, recall 2/3, κ 0.4", () => {
    const c = { tp: 20, fp: 5, fn: 10, tn: 15 }
    expect(precision(c)).toBe(0.8)
    expect(recall(c)).toBeCloseTo(2 / 3, 10)
    expect(kappa(c)).toBeCloseTo(0.4, 10)
  })

  test("confusion counts each (predicted, expected) pair once", () => {
    expect(
      confusion([
        [true, true],
        [true, false],
        [false, true],
        [false, false],
        [false, false],
      ]),
    ).toEqual({ tp: 1, fp: 1, fn: 1, tn: 2 })
  })

  test("κ when chance explains everything: full agreement 1, anything else 0; no pairs → null", () => {
    expect(kappa({ tp: 0, fp: 0, fn: 0, tn: 7 })).toBe(1)
    expect(kappa({ tp: 0, fp: 0, fn: 1, tn: 5 })).toBe(0)
    expect(kappa({ tp: 0, fp: 0, fn: 0, tn: 0 })).toBeNull()
  })

  test("nothing predicted or nothing expected → precision or recall is null, not 0 or NaN", () => {
    expect(precision({ tp: 0, fp: 0, fn: 2, tn: 1 })).toBeNull()
    expect(recall({ tp: 0, fp: 2, fn: 0, tn: 1 })).toBeNull()
  })

  test("majority needs more than half of all samples; a failed sample is no vote", () => {
    expect(majority([true, true, false])).toBe(true)
    expect(majority([true, null, false])).toBe(false)
    expect(majority([true, true, null])).toBe(true)
    expect(majority([true, false])).toBe(false)
  })

  test("flip rate: decisions whose samples disagreed, failed samples aside; one sample → null", () => {
    expect(
      flipRate([
        [true, true, true],
        [true, false, true],
        [null, false, false],
        [true, null, null],
      ]),
    ).toBeCloseTo(1 / 3, 10)
    expect(flipRate([[true], [false]])).toBeNull()
    expect(share(1, 0)).toBeNull()
  })
})
