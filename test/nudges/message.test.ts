import { describe, expect, test } from "bun:test"
import { cases } from "../../src/cases/registry"
import { isoDayInZone, isoWeek, readableDay } from "../../src/core/dates"
import type { AttemptSummary } from "../../src/core/views"
import { nudgeMessage } from "../../src/nudges/message"
import { nudgeTexts as t, whenText } from "../../src/nudges/texts"

const attempt = (caseId: string, covered: string[], id: number): AttemptSummary => ({
  id,
  caseId,
  number: id,
  endedAt: id,
  covered,
  level: "normal",
  hints: 0,
})

describe("the practice reminder's text", () => {
  const [employee, , career] = cases
  test("the weakest step over the cases tried, with a button that starts that case, and a way to turn it off", () => {
    const careerKeys = career!.methodology.components.map((c) => c.key)
    const m = nudgeMessage([
      attempt(employee!.id, ["Behavior", "Result", "Emotion", "Question"], 2),
      attempt(career!.id, careerKeys.slice(1), 1),
    ])
    // Career's first step was never shown (0 %), Agreement in the employee case neither: the newer case wins the tie.
    expect(m.html).toBe(t.weakest("Договорённости", employee!.texts.title))
    expect(m.keyboard).toEqual({
      _tag: "Inline",
      rows: [
        [{ text: t.practise("Договорённости"), data: `case:${employee!.id}:start` }],
        [{ text: t.turnOff, data: "set:nudges:off" }],
      ],
    })
  })

  test("nothing tried yet → an invitation with the menu", () => {
    expect(nudgeMessage([]).html).toBe(t.start)
  })

  test("every step shown lately → no step named weak: another case or level, with the menu", () => {
    const all = employee!.methodology.components.map((c) => c.key)
    const m = nudgeMessage([attempt(employee!.id, all, 2), attempt(employee!.id, all, 1)])
    expect(m.html).toBe(t.allShown)
    expect(m.keyboard).toEqual(nudgeMessage([]).keyboard)
  })
})

test("isoWeek: the week of the Thursday, in the configured zone", () => {
  expect(isoWeek(Date.UTC(2026, 11, 4, 12), "Europe/Moscow")).toBe("2026-W49")
  // Sunday 23:30 UTC is already Monday in Moscow: the next week.
  expect(isoWeek(Date.UTC(2026, 11, 6, 23, 30), "UTC")).toBe("2026-W49")
  expect(isoWeek(Date.UTC(2026, 11, 6, 23, 30), "Europe/Moscow")).toBe("2026-W50")
  expect(isoWeek(Date.UTC(2027, 0, 1, 12), "UTC")).toBe("2026-W53")
})

test("whenText: a weekly cron pattern in words, anything else as «раз в неделю»", () => {
  expect(whenText("0 0 11 * * 1", "Europe/Moscow")).toBe("по понедельникам в 11:00 (МСК)")
  expect(whenText("0 30 9 * * 0", "UTC")).toBe("по воскресеньям в 09:30 (UTC)")
  expect(whenText("0 30 9 * * 7", "UTC")).toBe("по воскресеньям в 09:30 (UTC)")
  expect(whenText("*/1 * * * * *", "UTC")).toBe("раз в неделю")
  expect(whenText("0 0 11 * * 1-5", "UTC")).toBe("раз в неделю")
})

test("isoDayInZone: the calendar day in the zone, shifted by whole days across a month's end", () => {
  expect(isoDayInZone(Date.UTC(2026, 11, 31, 22), "Europe/Moscow")).toBe("2027-01-01")
  expect(isoDayInZone(Date.UTC(2026, 11, 31, 22), "UTC")).toBe("2026-12-31")
  expect(isoDayInZone(Date.UTC(2026, 2, 1, 12), "UTC", -6)).toBe("2026-02-23")
  expect(readableDay("2026-02-23")).toBe("23.02.2026")
})
