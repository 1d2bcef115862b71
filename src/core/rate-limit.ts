import type { Session } from "./session"

export interface RateLimits {
  readonly perMinute: number
  readonly perHour: number
}

export type RateVerdict =
  | { readonly _tag: "Allowed" }
  | {
      readonly _tag: "Blocked"
      readonly window: "minute" | "hour"
      readonly notify: boolean
      readonly waitMin: number
    }

const WINDOW_MS = { minute: 60_000, hour: 3_600_000 } as const
type Window = Session["rate"]["minute"]

const roll = (w: Window, now: number, size: number): Window =>
  now - w.start >= size ? { start: now, count: 0, warned: false } : w

/**
 * Fixed-window limits per user, kept in the chat session so they hold across processes. Pure. A blocked user is
 * told once per window in the chat (`notify`), then further messages in that window are dropped quietly. A button
 * press (`press`) counts the same, but its answer is a popup on the button, never the chat's notice: every blocked
 * press is told (`notify`), and the chat's one notice is still due to the next typed message.
 */
export const checkRate = (
  rate: Session["rate"],
  now: number,
  limits: RateLimits,
  press = false,
): readonly [Session["rate"], RateVerdict] => {
  const minute = roll(rate.minute, now, WINDOW_MS.minute)
  const hour = roll(rate.hour, now, WINDOW_MS.hour)
  const over = hour.count >= limits.perHour ? "hour" : minute.count >= limits.perMinute ? "minute" : null
  if (over === null) {
    return [
      { minute: { ...minute, count: minute.count + 1 }, hour: { ...hour, count: hour.count + 1 } },
      { _tag: "Allowed" },
    ]
  }
  const w = over === "hour" ? hour : minute
  const waitMin = Math.max(1, Math.ceil((w.start + WINDOW_MS[over] - now) / 60_000))
  if (press)
    return [
      { minute, hour },
      { _tag: "Blocked", window: over, notify: true, waitMin },
    ]
  const next = { minute, hour, [over]: { ...w, warned: true } }
  return [next, { _tag: "Blocked", window: over, notify: !w.warned, waitMin }]
}
