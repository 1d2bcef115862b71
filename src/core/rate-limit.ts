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
type Windows = Pick<Session["rate"], "minute" | "hour">
type Window = Windows["minute"]

const EMPTY: Window = { start: 0, count: 0, warned: false }

const roll = (w: Window, now: number, size: number): Window =>
  now - w.start >= size ? { start: now, count: 0, warned: false } : w

const rolled = (w: Windows, now: number): Windows => ({
  minute: roll(w.minute, now, WINDOW_MS.minute),
  hour: roll(w.hour, now, WINDOW_MS.hour),
})

const overOf = (w: Windows, limits: RateLimits) =>
  w.hour.count >= limits.perHour ? "hour" : w.minute.count >= limits.perMinute ? "minute" : null

const counted = (w: Windows): Windows => ({
  minute: { ...w.minute, count: w.minute.count + 1 },
  hour: { ...w.hour, count: w.hour.count + 1 },
})

/**
 * Fixed-window limits per user, kept with the sender's counters so they hold across processes. Pure. A blocked user
 * is told once per window in the chat (`notify`), then further messages in that window are dropped quietly. A
 * button press (`press`) counts the same, but its answer is a popup on the button, never the chat's notice: every
 * blocked press is told (`notify`), and the chat's one notice is still due to the next typed message.
 *
 * A sender without a role is held to `guest` limits too, counted in windows of their own (`rate.guest`): what
 * someone sent while signed in counts against the ordinary limits only, so signing out (or /forget_me) never makes
 * an hour of ordinary use a guest's overdraft; nor does it give an allowance back, since every message counts in the
 * ordinary windows as well.
 */
export const checkRate = (
  rate: Session["rate"],
  now: number,
  limits: RateLimits,
  press = false,
  guest?: RateLimits,
): readonly [Session["rate"], RateVerdict] => {
  const own = rolled(rate, now)
  const asGuest = rolled(rate.guest ?? { minute: EMPTY, hour: EMPTY }, now)
  // A signed-in sender's guest windows are kept as they were, for the next time they have no role.
  const withGuest = (g: Windows) => (guest ? { guest: g } : rate.guest ? { guest: rate.guest } : {})
  const ownOver = overOf(own, limits)
  const guestOver = ownOver === null && guest ? overOf(asGuest, guest) : null
  if (ownOver === null && guestOver === null)
    return [{ ...counted(own), ...withGuest(counted(asGuest)) }, { _tag: "Allowed" }]
  const over = ownOver ?? guestOver ?? "minute"
  const blocking = ownOver ? own : asGuest
  const w = blocking[over]
  const waitMin = Math.max(1, Math.ceil((w.start + WINDOW_MS[over] - now) / 60_000))
  const verdict = { _tag: "Blocked", window: over, notify: press || !w.warned, waitMin } as const
  if (press) return [{ ...own, ...withGuest(asGuest) }, verdict]
  const told = { ...blocking, [over]: { ...w, warned: true } }
  return [ownOver ? { ...told, ...withGuest(asGuest) } : { ...own, guest: told }, verdict]
}
