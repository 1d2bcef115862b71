/**
 * R7: everything the bot wrote to its logs (in-process and spawned processes) and everything sent to the fake
 * Sentry during the whole test run is collected here; at the end of the run (test/support/preload.ts) it is
 * searched for the run's secrets and for what learners typed. One hit fails the run.
 */

const lines: string[] = []
const canaries = new Map<string, string>()

export const recordOutput = (line: string): void => {
  lines.push(line)
}

/** A secret (password, token, key) that must never appear in logs or error reports. */
export const addSecret = (value: string, what: string): void => {
  if (value.length >= 6) canaries.set(value, what)
}

/** A line a learner sent: logs carry ids and classes, never what people wrote. */
export const addUserText = (text: string): void => {
  const t = text.trim()
  // Commands and one-word replies (button labels, «да») are the app's own vocabulary, not dialogue.
  if (t.startsWith("/") || t.length < 12 || !/\s/.test(t)) return
  if (!canaries.has(t)) canaries.set(t, "user text")
}

export interface Leak {
  readonly what: string
  readonly line: string
}

export const scanForLeaks = (): { lines: number; canaries: number; leaks: Leak[] } => {
  const leaks: Leak[] = []
  for (const line of lines)
    for (const [value, what] of canaries)
      if (line.includes(value)) leaks.push({ what, line: line.replace(value, `«${what}»`).slice(0, 300) })
  return { lines: lines.length, canaries: canaries.size, leaks }
}
