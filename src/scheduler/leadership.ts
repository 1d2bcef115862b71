import { Effect, Redacted } from "effect"
import postgres from "postgres"
import type { Database as DatabaseConfig } from "../config/config"
import { within } from "../lib/within"
import { describeError, type LogShape } from "../services/log"
import { isLocalHost } from "../services/postgres-client"
import { sqlStateOf } from "../services/sql-state"
import { releaseLeaderLocks, type Sql, stillLeading, tryLeaderLock } from "./leadership.repo"

/**
 * Key of the session advisory lock that elects the scheduler's leader (two int4 keys: a namespace, then the lock).
 * Nothing else in the bot takes advisory locks except Kysely's migrator, which uses its own single bigint key.
 */
export const LEADER_LOCK = [0x454d43, 1] as const

export interface LeaderLock {
  /** One attempt to lead. True: the lock is held on a pinned connection until `release` or the connection dies. */
  readonly tryAcquire: () => Promise<boolean>
  readonly isHeld: () => boolean
  /** Unlocks, and waits at most `timeoutMs` for that; then closes the connection. */
  readonly release: (timeoutMs: number) => Promise<void>
}

interface Attempt {
  held: boolean
  releasing: boolean
  done: Promise<void>
}

/** Without a connection no instance can lead: broadcasts, exports, reminders and clean-ups do not run. */
export const LEADER_REFUSED_WARNING =
  "the scheduler cannot connect: the server refuses more connections (DATABASE_MAX_CONNECTIONS, docs/scaling.md)"
const ATTEMPT_FAILED = "scheduler leadership attempt failed"

/**
 * The connection the leader lock lives on: one session of its own, never recycled (a `max_lifetime` would end the
 * session, and the lock with it, every 30–60 min), and separate from the app's pool on purpose. A session lock
 * needs a pinned connection, and a pinned (`reserve()`d) connection whose backend dies is awkward in a pool: kept
 * reserved it makes the pool's `end()` wait forever (and, unpatched, Postgres.js 3.4.9 crashed on it:
 * porsager/postgres#1208, see patches/). This one can simply be ended with `timeout: 0`, and a new one opened.
 */
export const leaderConnection = (config: Extract<DatabaseConfig, { kind: "postgres" }>) => (): Sql => {
  const url = Redacted.value(config.url)
  return postgres(url, {
    max: 1,
    max_lifetime: 0,
    idle_timeout: 0,
    connect_timeout: 10,
    ssl: isLocalHost(url) || config.sslMode === "disable" ? false : config.sslMode,
    onnotice: () => {},
    connection: { application_name: "emco-scheduler-leader" },
  })
}

/**
 * Leader election with a session advisory lock: PostgreSQL drops the lock when the holder's session ends, so a
 * crashed or partitioned leader is replaced by whoever tries next.
 *
 * While leading, a query is always in flight on the connection (`pg_sleep` + "does this session still hold the
 * lock?", back to back), so a dead connection shows up within `heartbeatMs` as a rejected query; a session
 * silently replaced by a reconnect shows up as "not held". Either way the instance stops leading at once.
 */
export const makeLeaderLock = (options: {
  readonly connect: () => Sql
  readonly owner: string
  readonly log: LogShape
  /** Longest a release waits for the heartbeat in flight; also how fast a lost lock is noticed. */
  readonly heartbeatMs?: number
}): LeaderLock => {
  const { connect, owner, log } = options
  const heartbeatMs = options.heartbeatMs ?? 500
  // A heartbeat that hangs (network partition without a reset): stop leading and drop the connection.
  const stuckMs = Math.max(5000, heartbeatMs * 6)
  const [k1, k2] = LEADER_LOCK
  const say = (effect: Effect.Effect<void>) => Effect.runSync(effect)
  // Kept between a follower's attempts; replaced after any failure.
  let client: Sql | undefined
  let current: Attempt | undefined
  let saidRefused = false

  const drop = (sql: Sql) => {
    if (client === sql) client = undefined
    sql.end({ timeout: 0 }).catch(() => {})
  }

  const hold = async (sql: Sql, attempt: Attempt) => {
    try {
      while (!attempt.releasing) {
        const watchdog = setTimeout(() => {
          say(log.warn("scheduler stepped down: its connection stopped answering", { owner }))
          attempt.held = false
          drop(sql)
        }, stuckMs)
        try {
          if (!(await stillLeading(sql, k1, k2, heartbeatMs / 1000)))
            throw new Error("the session no longer holds the leader lock")
        } finally {
          clearTimeout(watchdog)
        }
      }
      attempt.held = false
      await releaseLeaderLocks(sql)
    } catch (error) {
      if (attempt.held) say(log.warn("scheduler lost leadership", { owner, ...describeError(error) }))
      attempt.held = false
      drop(sql)
    } finally {
      if (current === attempt) current = undefined
    }
  }

  const tryAcquire = async () => {
    if (current) return current.held
    client ??= connect()
    const sql = client
    let got: boolean
    try {
      got = await tryLeaderLock(sql, k1, k2)
    } catch (error) {
      // The server refusing another connection (too_many_connections) will not pass by itself: said once, loudly.
      const refused = sqlStateOf(error) === "53300"
      const fields = { owner, ...describeError(error) }
      say(
        refused && !saidRefused
          ? log.warn(LEADER_REFUSED_WARNING, fields)
          : log.debug(ATTEMPT_FAILED, fields),
      )
      saidRefused ||= refused
      drop(sql)
      return false
    }
    if (!got) return false
    const attempt: Attempt = { held: true, releasing: false, done: Promise.resolve() }
    current = attempt
    attempt.done = hold(sql, attempt)
    say(log.info("scheduler leads", { owner }))
    return true
  }

  const release = async (timeoutMs: number) => {
    const attempt = current
    if (attempt) {
      const led = attempt.held
      attempt.releasing = true
      attempt.held = false
      await within(attempt.done, timeoutMs)
      if (led) say(log.info("scheduler handed leadership over", { owner }))
    }
    if (client) drop(client)
  }

  return { tryAcquire, isHeld: () => current?.held === true, release }
}
