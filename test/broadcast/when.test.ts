import { describe, expect, test } from "bun:test"
import { parseSendTime, zonedToUtc } from "../../src/broadcast/when"
import { formatInZone } from "../../src/core/dates"

// 2026-11-25 12:00 UTC = 15:00 in Moscow (UTC+3, no DST).
const NOW = Date.UTC(2026, 10, 25, 12, 0)
const MSK = "Europe/Moscow"
const at = (iso: string) => ({ _tag: "At" as const, at: Date.parse(iso) })

describe("parseSendTime", () => {
  test("«18:30» → today in the zone; a passed time → tomorrow", () => {
    expect(parseSendTime("18:30", NOW, MSK)).toEqual(at("2026-11-25T15:30:00Z"))
    expect(parseSendTime(" 9.05 ", NOW, MSK)).toEqual(at("2026-11-26T06:05:00Z"))
    expect(parseSendTime("15:00", NOW, MSK)).toEqual(at("2026-11-26T12:00:00Z"))
  })

  test("«завтра 9:00», dates with and without a year, ISO", () => {
    expect(parseSendTime("Завтра 9:00", NOW, MSK)).toEqual(at("2026-11-26T06:00:00Z"))
    expect(parseSendTime("25.12 10:00", NOW, MSK)).toEqual(at("2026-12-25T07:00:00Z"))
    expect(parseSendTime("01.01.2027, 00:00", NOW, MSK)).toEqual(at("2026-12-31T21:00:00Z"))
    expect(parseSendTime("2026-11-30 23:59", NOW, "UTC")).toEqual(at("2026-11-30T23:59:00Z"))
  })

  test("«завтра» on the last day of a month and a year → the 1st of the next", () => {
    const lastDay = Date.UTC(2026, 11, 31, 12, 0)
    expect(parseSendTime("завтра 08:00", lastDay, "UTC")).toEqual(at("2027-01-01T08:00:00Z"))
  })

  test("nonsense, impossible dates → Invalid; the past → Past; beyond a year → TooFar", () => {
    for (const text of ["", "скоро", "25:00", "12:60", "31.02 10:00", "2026-13-01 10:00", "10"])
      expect({ text, r: parseSendTime(text, NOW, MSK) }).toEqual({ text, r: { _tag: "Invalid" } })
    expect(parseSendTime("24.11 10:00", NOW, MSK)).toEqual({ _tag: "Past" })
    expect(parseSendTime("25.11.2026 14:59", NOW, MSK)).toEqual({ _tag: "Past" })
    expect(parseSendTime("01.01.2028 10:00", NOW, MSK)).toEqual({ _tag: "TooFar" })
  })

  test("a zone with DST: the offset of the named day, not of today", () => {
    // Berlin: UTC+1 in November, UTC+2 in July.
    expect(zonedToUtc({ year: 2027, month: 7, day: 1, hour: 12, minute: 0 }, "Europe/Berlin")).toBe(
      Date.parse("2027-07-01T10:00:00Z"),
    )
    expect(parseSendTime("26.11 12:00", NOW, "Europe/Berlin")).toEqual(at("2026-11-26T11:00:00Z"))
  })

  test("formatInZone → «dd.mm.yyyy hh:mm» in the zone", () => {
    expect(formatInZone(NOW, MSK)).toBe("25.11.2026 15:00")
    expect(formatInZone(NOW, "UTC")).toBe("25.11.2026 12:00")
  })
})
