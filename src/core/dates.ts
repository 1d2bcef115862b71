/** Dates and times as people read them: in the one configured zone (APSCHEDULER_TIMEZONE). Pure. */

export interface Wall {
  readonly year: number
  readonly month: number
  readonly day: number
  readonly hour: number
  readonly minute: number
}

export const wallOf = (ms: number, timeZone: string): Wall => {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
  }).formatToParts(new Date(ms))
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value)
  return { year: get("year"), month: get("month"), day: get("day"), hour: get("hour"), minute: get("minute") }
}

const two = (n: number) => String(n).padStart(2, "0")

/** «25.11.2026 18:30» in `timeZone`. */
export const formatInZone = (ms: number, timeZone: string): string => {
  const w = wallOf(ms, timeZone)
  return `${two(w.day)}.${two(w.month)}.${w.year} ${two(w.hour)}:${two(w.minute)}`
}

/** «2026-11-25»: the calendar day of `ms` in `timeZone`, `days` later (a date column's form, a file name's). */
export const isoDayInZone = (ms: number, timeZone: string, days = 0): string => {
  const w = wallOf(ms, timeZone)
  return new Date(Date.UTC(w.year, w.month - 1, w.day + days)).toISOString().slice(0, 10)
}

/** «25.11.2026» for an ISO day «2026-11-25». */
export const readableDay = (isoDay: string): string => isoDay.split("-").reverse().join(".")

/** «25.11.2026» in `timeZone`. */
export const dateInZone = (ms: number, timeZone: string): string => formatInZone(ms, timeZone).slice(0, 10)

const ZONE_NAMES: Readonly<Record<string, string>> = {
  "Europe/Moscow": "МСК",
  UTC: "UTC",
  "Etc/UTC": "UTC",
}

/** How the zone is named next to a time: «МСК», or its IANA name. */
export const zoneLabel = (timeZone: string): string => ZONE_NAMES[timeZone] ?? timeZone

/** The zone when none is configured (the default of APSCHEDULER_TIMEZONE). */
export const DEFAULT_TIME_ZONE = "Europe/Moscow"

/** The ISO week of `ms` in `timeZone`, «2026-W49»: the key of a weekly event. */
export const isoWeek = (ms: number, timeZone: string): string => {
  const w = wallOf(ms, timeZone)
  const date = new Date(Date.UTC(w.year, w.month - 1, w.day))
  const weekday = date.getUTCDay() || 7
  // The week belongs to the year of its Thursday.
  date.setUTCDate(date.getUTCDate() + 4 - weekday)
  const year = date.getUTCFullYear()
  const week = Math.ceil(((date.getTime() - Date.UTC(year, 0, 1)) / 86_400_000 + 1) / 7)
  return `${year}-W${two(week)}`
}
