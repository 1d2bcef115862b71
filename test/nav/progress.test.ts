import { describe, expect, test } from "bun:test"
import { findCase } from "../../src/cases/registry"
import { stepShares, trendOf, weakestStep } from "../../src/nav/progress"

const spec = findCase("fb_employee")!
const ALL = ["Behavior", "Result", "Emotion", "Question", "Agreement"]
const without = (...keys: string[]) => ALL.filter((k) => !keys.includes(k))

describe("progress per step (weighted toward recent attempts)", () => {
  test("no attempts → every share 0, no weakest step, no trend", () => {
    expect(stepShares(spec, []).map((s) => s.share)).toEqual([0, 0, 0, 0, 0])
    expect(weakestStep(spec, [])).toBeNull()
    expect(trendOf(spec, [])).toBeNull()
  })

  test("the newest attempt weighs more: shown only in it beats shown only in the oldest of two", () => {
    // newest first: Question shown now, Agreement shown only before
    const shares = stepShares(spec, [without("Agreement"), without("Question")])
    const share = (key: string) => shares.find((s) => s.component.key === key)!.share
    expect(share("Behavior")).toBe(1)
    expect(share("Question")).toBeCloseTo(1 / 1.7, 6)
    expect(share("Agreement")).toBeCloseTo(0.7 / 1.7, 6)
    expect(weakestStep(spec, [without("Agreement"), without("Question")])?.key).toBe("Agreement")
  })

  test("every step shown in every recent attempt → no weakest step (nothing to name as weak)", () => {
    expect(weakestStep(spec, [ALL, ALL])).toBeNull()
    expect(weakestStep(spec, [ALL, without("Question")])?.key).toBe("Question")
  })

  test("a tie → the earlier step of the algorithm is the weakest", () => {
    expect(weakestStep(spec, [without("Emotion", "Question")])?.key).toBe("Emotion")
  })

  test("only the last eight attempts count", () => {
    const old = Array.from({ length: 20 }, () => without("Result"))
    expect(stepShares(spec, [...Array.from({ length: 8 }, () => ALL), ...old])[1]!.share).toBe(1)
  })

  test("trend: the step the newest attempt moved most, over the last four before and after it", () => {
    const history = [ALL, without("Question"), without("Question"), without("Question"), without("Question")]
    const trend = trendOf(spec, history)!
    expect(trend.component.key).toBe("Question")
    expect(trend.before).toEqual({ shown: 0, of: 4 })
    expect(trend.now).toEqual({ shown: 1, of: 4 })
  })

  test("trend: a gain is named before an equal loss", () => {
    const trend = trendOf(spec, [without("Behavior"), without("Question")])!
    expect(trend.component.key).toBe("Question")
    expect(trend.now).toEqual({ shown: 1, of: 2 })
    expect(trend.before).toEqual({ shown: 0, of: 1 })
  })

  test("trend: nothing moved → the weakest step with its counts; a first attempt → none", () => {
    const trend = trendOf(spec, [without("Emotion"), without("Emotion")])!
    expect(trend.component.key).toBe("Emotion")
    expect(trend.before).toEqual({ shown: 0, of: 1 })
    expect(trend.now).toEqual({ shown: 0, of: 2 })
    expect(trendOf(spec, [ALL])).toBeNull()
  })
})
