import { randomUUID } from "node:crypto"
import { linkSync, readFileSync, statSync, unlinkSync, utimesSync, writeFileSync } from "node:fs"
import { hostname } from "node:os"
import { join } from "node:path"

/**
 * One process per embedded data directory. Two PGlite instances on one folder each keep their own view of the
 * files and overwrite each other's writes: an outside run lost roles, updates and the password's erasure that
 * way (a second `bun start`, a CLI tool beside the bot, an overlapping deploy on one volume). A lock file names its
 * holder and is touched every HEARTBEAT_MS; a holder whose heartbeat stopped for STALE_MS is gone, and on this
 * host one whose process has ended is gone at once (a kill -9, a restart).
 */
const LOCK_FILE = "bot.lock"
export const HEARTBEAT_MS = 2_000
export const STALE_MS = 15_000
const TAKEOVER_CHECK_MS = 300

export interface Holder {
  readonly pid: number
  readonly host: string
  readonly token: string
}

export class DataDirBusy extends Error {
  constructor(
    readonly dir: string,
    /** Null when the lock file cannot be read (it then counts as held until it is STALE_MS old). */
    readonly holder: Holder | null,
  ) {
    super(`data directory ${dir} is in use${holder ? ` by pid ${holder.pid} on ${holder.host}` : ""}`)
  }
}

/** A process that has ended but not been reaped yet (a zombie) still answers signal 0: it counts as ended. */
const isZombie = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.startsWith("Z") ?? false
  } catch {
    return false
  }
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0)
  } catch (error) {
    return (error as { code?: string }).code === "EPERM"
  }
  return !isZombie(pid)
}

const read = (path: string): { holder: Holder | null; ageMs: number } | null => {
  try {
    const ageMs = Date.now() - statSync(path).mtimeMs
    try {
      return { holder: JSON.parse(readFileSync(path, "utf8")) as Holder, ageMs }
    } catch {
      return { holder: null, ageMs }
    }
  } catch {
    return null
  }
}

/**
 * A holder is gone once its heartbeat stopped; on this host, at once when its process has ended. A live pid with a
 * stopped heartbeat is another program that got the number after a reboot; our own pid is a previous container's
 * (pid 1 again), never a live peer.
 */
const isGone = (held: { holder: Holder | null; ageMs: number }) => {
  const { holder, ageMs } = held
  if (ageMs > STALE_MS) return true
  if (holder === null || holder.host !== hostname()) return false
  return holder.pid === process.pid || !isAlive(holder.pid)
}

/** Creates the lock with its content in one step (a hard link fails when the file exists). */
const tryCreate = (path: string, mine: Holder) => {
  const draft = `${path}.${mine.token}`
  writeFileSync(draft, JSON.stringify(mine))
  try {
    linkSync(draft, path)
    return true
  } catch (error) {
    if ((error as { code?: string }).code === "EEXIST") return false
    throw error
  } finally {
    unlinkSync(draft)
  }
}

const removeStale = (path: string) => {
  try {
    unlinkSync(path)
  } catch (error) {
    // Another starter removed it first: try again.
    if ((error as { code?: string }).code !== "ENOENT") throw error
  }
}

export interface DataDirLock {
  readonly release: () => void
}

export interface LockOptions {
  /** How long to wait for a live holder to leave (a deploy's old process draining); 0 refuses at once. */
  readonly waitMs: number
  /** Told once when the folder is held and this process waits. */
  readonly onWait?: (holder: Holder) => void
  /** The lock was taken by another process while this one ran (its heartbeat stalled): stop writing. */
  readonly onLost?: () => void
}

/**
 * Takes the data directory's lock (waiting up to `waitMs`), keeps it alive, and gives it back on release or exit.
 * A lock taken over from a gone holder is checked again a moment later: two starters that found the same stale
 * file may both remove it, and only the second one's file stays (each read and removal is synchronous, so the
 * later removal falls well within the moment).
 */
export const lockDataDir = async (dir: string, options: LockOptions): Promise<DataDirLock> => {
  const path = join(dir, LOCK_FILE)
  const mine: Holder = { pid: process.pid, host: hostname(), token: randomUUID() }
  const ours = () => read(path)?.holder?.token === mine.token
  const deadline = Date.now() + options.waitMs
  let told = false
  let tookOver = false
  for (;;) {
    if (tryCreate(path, mine)) {
      if (!tookOver) break
      await Bun.sleep(TAKEOVER_CHECK_MS)
      if (ours()) break
    }
    const held = read(path)
    if (held === null) continue
    if (isGone(held)) {
      removeStale(path)
      tookOver = true
      continue
    }
    if (Date.now() >= deadline) throw new DataDirBusy(dir, held.holder)
    if (!told && held.holder) options.onWait?.(held.holder)
    told = true
    await Bun.sleep(250)
  }
  const heartbeat = setInterval(() => {
    if (!ours()) {
      clearInterval(heartbeat)
      options.onLost?.()
      return
    }
    const now = new Date()
    utimesSync(path, now, now)
  }, HEARTBEAT_MS)
  heartbeat.unref()
  const release = () => {
    clearInterval(heartbeat)
    process.off("exit", release)
    if (ours()) unlinkSync(path)
  }
  process.on("exit", release)
  return { release }
}
