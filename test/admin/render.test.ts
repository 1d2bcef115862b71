import { describe, expect, test } from "bun:test"
import { renderStats } from "../../src/admin/render"
import type { AdminStats } from "../../src/core/views"

const stats = (trust: AdminStats["scores"][number]["trust"]): AdminStats => ({
  roles: [],
  active7: 0,
  active30: 0,
  attempts: [{ caseId: "fb_employee", outcome: "completed", count: 2 }],
  started: [{ caseId: "fb_employee", count: 2 }],
  scores: [{ caseId: "fb_employee", avgScore: 2, covered: [["Behavior"], []], trust }],
  ratings: [],
  comments: [],
  ai: [],
})

describe("/stats: trust in the verdicts per case", () => {
  test("two sampled reviews of five steps, one step split; 2 of 8 model quotes not in the learner's words", () => {
    const text = renderStats(stats({ reviewed: 2, disputedSteps: 1, quotesProposed: 8, quotesUnverified: 2 }))
    expect(text).toContain("доверие к разбору: спорных шагов 10% (1 из 10), непроверенных цитат 25% (2 из 8)")
  })

  test("no sampled review yet but judged quotes → the share of steps is «—», not a division by zero", () => {
    const text = renderStats(stats({ reviewed: 0, disputedSteps: 0, quotesProposed: 3, quotesUnverified: 0 }))
    expect(text).toContain("спорных шагов —, непроверенных цитат 0% (0 из 3)")
  })

  test("nothing reviewed or quoted → no trust line at all", () => {
    const text = renderStats(stats({ reviewed: 0, disputedSteps: 0, quotesProposed: 0, quotesUnverified: 0 }))
    expect(text).not.toContain("доверие к разбору")
  })
})
