export interface Burst {
  /** Events within the window, the one just noted included. */
  readonly events: number
  /** Distinct keys (user ids) among them. */
  readonly keys: number
}

/**
 * Notices a burst of events (wrong passwords across users): `note` returns the burst once `threshold` events fall
 * within `windowMs`, then stays quiet until the window has moved past that moment, so a flood is reported about once
 * per window, not once per event. In memory, per process.
 */
export const makeBurstDetector = (threshold: number, windowMs: number) => {
  let events: Array<{ at: number; key: number }> = []
  let quietUntil = Number.NEGATIVE_INFINITY
  return {
    note: (at: number, key: number): Burst | null => {
      events = events.filter((e) => e.at > at - windowMs)
      events.push({ at, key })
      if (events.length < threshold || at < quietUntil) return null
      quietUntil = at + windowMs
      return { events: events.length, keys: new Set(events.map((e) => e.key)).size }
    },
  }
}
