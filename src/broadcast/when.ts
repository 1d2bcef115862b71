import { type Wall, wallOf } from "../core/dates"

/** Reading wall-clock times in the scheduler's time zone (APSCHEDULER_TIMEZONE). Pure. */

export type SendTime =
  | { readonly _tag: "At"; readonly at: number }
  | { readonly _tag: "Invalid" }
  | { readonly _tag: "Past" }
  | { readonly _tag: "TooFar" }

const MAX_AHEAD_MS = 366 * 24 * 3600 * 1000

const asUtc = (w: Wall) => Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute)

/** The instant a wall-clock time in `timeZone` names (the later reading is taken in a DST gap). */
export const zonedToUtc = (w: Wall, timeZone: string): number => {
  const wall = asUtc(w)
  const offsetAt = (ms: number) => asUtc(wallOf(ms, timeZone)) - Math.floor(ms / 60_000) * 60_000
  const guess = wall - offsetAt(wall)
  return wall - offsetAt(guess)
}

const validWall = (w: Wall) => {
  if (w.hour > 23 || w.minute > 59 || w.month < 1 || w.month > 12 || w.day < 1) return false
  const d = new Date(Date.UTC(w.year, w.month - 1, w.day))
  return d.getUTCMonth() === w.month - 1 && d.getUTCDate() === w.day
}

const TIME = String.raw`(\d{1,2})[:.](\d{2})`

type Reading = "time" | "tomorrow" | "date"
const FORMATS: ReadonlyArray<readonly [RegExp, Reading, (m: RegExpExecArray, today: Wall) => Wall]> = [
  [new RegExp(`^${TIME}$`), "time", (m, t) => ({ ...t, hour: +m[1]!, minute: +m[2]! })],
  [new RegExp(`^завтра\\s+${TIME}$`, "i"), "tomorrow", (m, t) => ({ ...t, hour: +m[1]!, minute: +m[2]! })],
  [
    new RegExp(`^(\\d{1,2})\\.(\\d{1,2})(?:\\.(\\d{4}))?,?\\s+${TIME}$`),
    "date",
    (m, t) => ({ year: m[3] ? +m[3] : t.year, month: +m[2]!, day: +m[1]!, hour: +m[4]!, minute: +m[5]! }),
  ],
  [
    new RegExp(`^(\\d{4})-(\\d{1,2})-(\\d{1,2})[ T]${TIME}$`),
    "date",
    (m) => ({ year: +m[1]!, month: +m[2]!, day: +m[3]!, hour: +m[4]!, minute: +m[5]! }),
  ],
]

/** The same wall-clock time `days` later (month and year ends handled by Date.UTC). */
const plusDays = (w: Wall, days: number): Wall => {
  const d = new Date(Date.UTC(w.year, w.month - 1, w.day + days))
  return { ...w, year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() }
}

/**
 * Reads «18:30» (today, or tomorrow once passed), «завтра 9:00», «25.11 18:30», «25.11.2026 18:30» or
 * «2026-11-25 18:30» as a time in `timeZone`. Up to a year ahead.
 */
export const parseSendTime = (text: string, now: number, timeZone: string): SendTime => {
  const input = text.trim().replace(/\s+/g, " ")
  const today = wallOf(now, timeZone)
  for (const [pattern, reading, build] of FORMATS) {
    const m = pattern.exec(input)
    if (!m) continue
    const read = build(m, today)
    if (!validWall(read)) return { _tag: "Invalid" }
    const wall = reading === "tomorrow" ? plusDays(read, 1) : read
    let at = zonedToUtc(wall, timeZone)
    if (reading === "time" && at <= now) at = zonedToUtc(plusDays(wall, 1), timeZone)
    if (at <= now) return { _tag: "Past" }
    if (at - now > MAX_AHEAD_MS) return { _tag: "TooFar" }
    return { _tag: "At", at }
  }
  return { _tag: "Invalid" }
}
