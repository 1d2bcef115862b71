import { describe, expect, test } from "bun:test"
import { cases } from "../../src/cases/registry"
import { callbackData } from "../../src/core/callback-data"
import type { StoredAttempt } from "../../src/core/views"
import { renderAttempt, renderTranscript } from "../../src/nav/history"
import { historyTexts } from "../../src/nav/history-texts"

const spec = cases[0]!
const attempt = (level: StoredAttempt["level"]): StoredAttempt => ({
  id: 41,
  caseId: spec.id,
  number: 3,
  endedAt: 1_700_000_000_000,
  covered: [],
  level,
  hints: 0,
  review: null,
  disputed: [],
  hasTranscript: false,
})

describe("an attempt opened from the history", () => {
  test("«Пройти ещё раз» starts the case at the difficulty the attempt was played at", () => {
    for (const [level, action] of [
      ["hard", "hard"],
      ["soft", "soft"],
      ["normal", "start"],
    ] as const)
      expect(JSON.stringify(renderAttempt(attempt(level), "UTC").keyboard)).toContain(
        callbackData.caseAction(spec.id, action),
      )
  })

  test("an attempt that is gone comes with the way back to the results", () => {
    const [gone] = renderTranscript(null)
    expect(gone).toMatchObject({ _tag: "Reply", html: historyTexts.attemptGone })
    expect(JSON.stringify(gone)).toContain(callbackData.history(0))
  })

  test("«back» returns to the results page the attempt was opened from, also when it is gone", () => {
    const keyboard = JSON.stringify(renderAttempt(attempt("normal"), "UTC", 2).keyboard)
    expect(keyboard).toContain(`"${callbackData.history(2)}"`)
    expect(keyboard).not.toContain(`"${callbackData.history(0)}"`)
    expect(JSON.stringify(renderAttempt(null, "UTC", 2).keyboard)).toContain(`"${callbackData.history(2)}"`)
  })
})
