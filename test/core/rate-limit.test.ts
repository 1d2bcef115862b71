import { describe, expect, test } from "bun:test"
import { checkRate, type RateLimits, type RateVerdict } from "../../src/core/rate-limit"
import { initialSession, type Session } from "../../src/core/session"

type Rate = Session["rate"]

const T0 = 1_700_000_000_000
const MINUTE = 60_000
const HOUR = 3_600_000
const allowed: RateVerdict = { _tag: "Allowed" }
const win = (start: number, count: number, warned = false) => ({ start, count, warned })

/** Runs `checkRate` for each time in turn, returning the final rate state and every verdict. */
const run = (rate: Rate, times: ReadonlyArray<number>, limits: RateLimits): [Rate, RateVerdict[]] => {
  let current = rate
  const verdicts: RateVerdict[] = []
  for (const now of times) {
    const [next, verdict] = checkRate(current, now, limits)
    current = next
    verdicts.push(verdict)
  }
  return [current, verdicts]
}

describe("checkRate", () => {
  const limits: RateLimits = { perMinute: 3, perHour: 10 }

  test("a blocked button press is told every time and leaves the chat's one notice for the next typed message", () => {
    const full = { minute: win(T0, 3), hour: win(T0, 3) }
    const blocked: RateVerdict = { _tag: "Blocked", window: "minute", notify: true, waitMin: 1 }
    const [afterPress, pressed] = checkRate(full, T0 + 1000, limits, true)
    expect(pressed).toEqual(blocked)
    expect(afterPress).toEqual(full)
    expect(checkRate(afterPress, T0 + 2000, limits, true)[1]).toEqual(blocked)
    // The typed message after the presses still gets the chat's notice, once.
    const [afterText, typed] = checkRate(afterPress, T0 + 3000, limits)
    expect(typed).toEqual(blocked)
    expect(checkRate(afterText, T0 + 4000, limits)[1]).toEqual({ ...blocked, notify: false })
  })

  test("first message from a fresh session → allowed, both windows start now with count 1", () => {
    expect(checkRate(initialSession.rate, T0, limits)).toEqual([
      { minute: win(T0, 1), hour: win(T0, 1) },
      allowed,
    ])
  })

  test("messages within a minute → counted in both windows, window starts unchanged", () => {
    expect(run(initialSession.rate, [T0, T0 + 1000, T0 + 2000], limits)).toEqual([
      { minute: win(T0, 3), hour: win(T0, 3) },
      [allowed, allowed, allowed],
    ])
  })

  test("(perMinute+1)th message in a minute → blocked by minute with notify, not counted", () => {
    const [full] = run(initialSession.rate, [T0, T0 + 1000, T0 + 2000], limits)
    expect(checkRate(full, T0 + 3000, limits)).toEqual([
      { minute: win(T0, 3, true), hour: win(T0, 3) },
      { _tag: "Blocked", window: "minute", notify: true, waitMin: 1 },
    ])
  })

  test("next message in the same minute → blocked silently (notify false), still not counted", () => {
    const [full] = run(initialSession.rate, [T0, T0 + 1000, T0 + 2000, T0 + 3000], limits)
    expect(checkRate(full, T0 + 4000, limits)).toEqual([
      { minute: win(T0, 3, true), hour: win(T0, 3) },
      { _tag: "Blocked", window: "minute", notify: false, waitMin: 1 },
    ])
  })

  test("last millisecond of the minute window → still blocked", () => {
    const [full] = run(initialSession.rate, [T0, T0, T0, T0], limits)
    expect(checkRate(full, T0 + MINUTE - 1, limits)[1]).toEqual({
      _tag: "Blocked",
      window: "minute",
      notify: false,
      waitMin: 1,
    })
  })

  test("60 s after the window start → minute window rolls over: count 1, warning cleared", () => {
    const [blocked] = run(initialSession.rate, [T0, T0 + 1, T0 + 2, T0 + 3, T0 + 4], limits)
    expect(blocked.minute.warned).toBe(true)
    expect(checkRate(blocked, T0 + MINUTE, limits)).toEqual([
      { minute: win(T0 + MINUTE, 1), hour: win(T0, 4) },
      allowed,
    ])
  })

  test("blocked again in the next minute → notified again", () => {
    const times = [T0, T0 + 1, T0 + 2, T0 + 3, T0 + MINUTE, T0 + MINUTE + 1, T0 + MINUTE + 2]
    const [, verdicts] = run(initialSession.rate, [...times, T0 + MINUTE + 3], limits)
    expect(verdicts).toEqual([
      allowed,
      allowed,
      allowed,
      { _tag: "Blocked", window: "minute", notify: true, waitMin: 1 },
      allowed,
      allowed,
      allowed,
      { _tag: "Blocked", window: "minute", notify: true, waitMin: 1 },
    ])
  })

  test("blocked messages → not counted toward the hour either", () => {
    const spam = Array.from({ length: 50 }, (_, i) => T0 + i * 100)
    expect(run(initialSession.rate, spam, limits)[0]).toEqual({
      minute: win(T0, 3, true),
      hour: win(T0, 3),
    })
  })

  test("hour limit reached while the minute has room → blocked by hour, waitMin to the hour's end", () => {
    const small: RateLimits = { perMinute: 3, perHour: 5 }
    // three in the first minute, two in the second: the hour is full.
    const times = [T0, T0 + 1000, T0 + 2000, T0 + MINUTE, T0 + MINUTE + 1000]
    const [full, verdicts] = run(initialSession.rate, times, small)
    expect(verdicts).toEqual([allowed, allowed, allowed, allowed, allowed])
    const at = T0 + MINUTE + 2000
    // (T0 + 3_600_000 - at) / 60_000 = 58.97 → 59 minutes
    expect(checkRate(full, at, small)).toEqual([
      { minute: win(T0 + MINUTE, 2), hour: win(T0, 5, true) },
      { _tag: "Blocked", window: "hour", notify: true, waitMin: 59 },
    ])
  })

  test("both limits reached at once → the hour dominates", () => {
    const tight: RateLimits = { perMinute: 2, perHour: 2 }
    const [full] = run(initialSession.rate, [T0, T0 + 1], tight)
    expect(checkRate(full, T0 + 1000, tight)).toEqual([
      { minute: win(T0, 2), hour: win(T0, 2, true) },
      { _tag: "Blocked", window: "hour", notify: true, waitMin: 60 },
    ])
  })

  test("minute warned, then the hour fills → the hour block is still announced once", () => {
    const tight: RateLimits = { perMinute: 1, perHour: 2 }
    const times = [T0, T0 + 1, T0 + 2, T0 + MINUTE, T0 + MINUTE + 1, T0 + MINUTE + 2]
    expect(run(initialSession.rate, times, tight)[1]).toEqual([
      allowed,
      { _tag: "Blocked", window: "minute", notify: true, waitMin: 1 },
      { _tag: "Blocked", window: "minute", notify: false, waitMin: 1 },
      allowed,
      { _tag: "Blocked", window: "hour", notify: true, waitMin: 59 },
      { _tag: "Blocked", window: "hour", notify: false, waitMin: 59 },
    ])
  })

  test("waitMin near the end of the hour → rounded up, at least 1", () => {
    const rate: Rate = { minute: win(T0 + HOUR - 1000, 0), hour: win(T0, 5) }
    expect(checkRate(rate, T0 + HOUR - 1, { perMinute: 3, perHour: 5 })).toEqual([
      { minute: win(T0 + HOUR - 1000, 0), hour: win(T0, 5, true) },
      { _tag: "Blocked", window: "hour", notify: true, waitMin: 1 },
    ])
  })

  test("hour window rolls over after 3600 s → counting restarts, warning cleared", () => {
    const rate: Rate = { minute: win(T0 + HOUR - 1000, 1, true), hour: win(T0, 5, true) }
    expect(checkRate(rate, T0 + HOUR, { perMinute: 3, perHour: 5 })).toEqual([
      { minute: win(T0 + HOUR - 1000, 2, true), hour: win(T0 + HOUR, 1) },
      allowed,
    ])
  })

  test("input state → never mutated", () => {
    const rate: Rate = { minute: win(T0, 3), hour: win(T0, 3) }
    const copy = structuredClone(rate)
    checkRate(rate, T0 + 1, limits)
    checkRate(rate, T0 + MINUTE, limits)
    expect(rate).toEqual(copy)
  })
})

describe("checkRate for a sender without a role (guest limits)", () => {
  const limits: RateLimits = { perMinute: 20, perHour: 60 }
  const guest: RateLimits = { perMinute: 3, perHour: 5 }

  test("what was sent signed in is not a guest's overdraft: after signing out the guest windows start empty", () => {
    // 40 this hour while signed in (over the guest hour limit of 5, within the ordinary 60).
    const signedIn: Rate = { minute: win(T0, 2), hour: win(T0, 40) }
    const [next, verdict] = checkRate(signedIn, T0 + 1000, limits, false, guest)
    expect(verdict).toEqual(allowed)
    expect(next).toEqual({
      minute: win(T0, 3),
      hour: win(T0, 41),
      guest: { minute: win(T0 + 1000, 1), hour: win(T0 + 1000, 1) },
    })
  })

  test("a guest is held to the guest limits, told once, and counts towards the ordinary ones too", () => {
    const times = [0, 1, 2, 3, 4].map((i) => T0 + i * 1000)
    let rate: Rate = initialSession.rate
    const verdicts: RateVerdict[] = []
    for (const now of times) {
      const [next, verdict] = checkRate(rate, now, limits, false, guest)
      rate = next
      verdicts.push(verdict)
    }
    const blocked: RateVerdict = { _tag: "Blocked", window: "minute", notify: true, waitMin: 1 }
    expect(verdicts).toEqual([allowed, allowed, allowed, blocked, { ...blocked, notify: false }])
    expect(rate.minute.count).toBe(3)
    expect(rate.guest?.minute).toEqual(win(T0, 3, true))
  })

  test("signing out gives no allowance back: over the ordinary limit, a guest is still blocked", () => {
    const spent: Rate = { minute: win(T0, 20), hour: win(T0, 20) }
    const [, verdict] = checkRate(spent, T0 + 1000, limits, false, guest)
    expect(verdict).toEqual({ _tag: "Blocked", window: "minute", notify: true, waitMin: 1 })
  })

  test("signed in again, the guest windows are kept as they were (not counted)", () => {
    const before: Rate = {
      minute: win(T0, 1),
      hour: win(T0, 1),
      guest: { minute: win(T0, 3), hour: win(T0, 3) },
    }
    const [next] = checkRate(before, T0 + 1000, limits)
    expect(next).toEqual({ minute: win(T0, 2), hour: win(T0, 2), guest: before.guest! })
  })
})
