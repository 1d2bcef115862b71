/**
 * Gauges read from the database (inbox backlog, active dialogues) are counted on a timer, never per scrape: one
 * of the counts scans every session's JSONB, and a handful of scrapers each running it slowed the webhook down.
 * A tick is skipped while the previous one still runs; `stop` waits for it, so the database can close after. The
 * first count is awaited: the first scrape already sees real values.
 */
export const startDbGauges = async (options: {
  readonly intervalMs: number
  readonly refresh: () => Promise<void>
  readonly onError: (error: unknown) => void
}) => {
  let inFlight: Promise<void> | null = null
  const tick = () => {
    inFlight ??= options
      .refresh()
      .catch(options.onError)
      .finally(() => {
        inFlight = null
      })
  }
  tick()
  await inFlight
  const timer = setInterval(tick, options.intervalMs)
  return {
    stop: async () => {
      clearInterval(timer)
      await inFlight
    },
  }
}
