/** How often the resident set is looked at, and how much growth between two looks asks for a collection. */
export const GUARD_INTERVAL_MS = 500
export const GUARD_GROWTH_MIB = 24

const MIB = 1024 * 1024

export interface MemoryGuardOptions {
  /** The process's resident set size, in bytes. */
  readonly rss?: () => number
  /** Asks the garbage collector to run (without waiting for it). */
  readonly collect?: () => void
  readonly intervalMs?: number
  readonly growthMiB?: number
}

/** One look at the resident set: asks for a collection when it grew past the threshold since the last look. */
export const memoryGuard = (options: MemoryGuardOptions = {}) => {
  const rss = options.rss ?? (() => process.memoryUsage.rss())
  const collect = options.collect ?? (() => Bun.gc(false))
  const growth = (options.growthMiB ?? GUARD_GROWTH_MIB) * MIB
  let last = rss()
  return {
    /** True when it asked for a collection. */
    check: (): boolean => {
      const now = rss()
      const climbing = now - last > growth
      last = now
      if (climbing) collect()
      return climbing
    },
  }
}

/**
 * Asks for a garbage collection whenever the process grew fast. Under a burst of updates after a quiet spell,
 * JavaScriptCore let the heap grow by ~280 MB in five seconds without collecting once, and the embedded bot peaked
 * at 530–690 MiB where the same burst on a fresh start stayed near 310 (bench/HISTORY.md): more than a 512 MiB
 * container holds. One look at the resident set every half second costs nothing; a collection is only asked for
 * while memory climbs. Returns the guard's stop.
 */
export const startMemoryGuard = (options: MemoryGuardOptions = {}): (() => void) => {
  const { check } = memoryGuard(options)
  const timer = setInterval(check, options.intervalMs ?? GUARD_INTERVAL_MS)
  // Never what keeps the process alive.
  timer.unref()
  return () => clearInterval(timer)
}
