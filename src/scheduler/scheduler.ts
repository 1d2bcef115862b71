import { Cause, Effect, Fiber } from "effect"
import type { Database as DatabaseConfig } from "../config/config"
import type { DbShape } from "../services/db"
import { describeError, type LogShape } from "../services/log"
import { claimDueJobs, failJob, finishJob, releaseJob, renewJobLeases } from "./job-runs.repo"
import type { ScheduledJob } from "./jobs.repo"
import { leaderConnection, makeLeaderLock } from "./leadership"

/**
 * Runs a job. `signal` aborts when the scheduler gives up waiting at shutdown; the run is then released and
 * done again later (at least once), so handlers should be idempotent.
 */
export type JobHandler = (job: ScheduledJob, signal: AbortSignal) => Promise<void>

export interface SchedulerOptions {
  readonly db: DbShape
  /** Where `db` points: on PostgreSQL the leader lock is held on a connection of its own to the same database. */
  readonly database: DatabaseConfig
  /** This instance's id, stored as `locked_by` of the jobs it runs. */
  readonly owner: string
  /** One handler per job kind; a due job of a kind without a handler is recorded as failed. */
  readonly handlers: Readonly<Record<string, JobHandler>>
  readonly log: LogShape
  /** How often the leader looks for due jobs. */
  readonly tickMs?: number
  /** How long a claimed job is protected from other instances; renewed while it runs. */
  readonly leaseMs?: number
  /** How often a follower tries to become leader (the leader checks its pinned connection every 0.5 s). */
  readonly leaderRetryMs?: number
  /** Most jobs started per tick. */
  readonly maxJobsPerTick?: number
  /**
   * Kinds whose runs resume where they stopped (a broadcast): at shutdown they are interrupted at once and left to
   * the next leader, instead of holding the shutdown for up to its timeout.
   */
  readonly resumableKinds?: ReadonlyArray<string>
  /** Told about every failed run (the app reports it to Sentry); the failure is logged and recorded anyway. */
  readonly onJobFailed?: (error: unknown, job: ScheduledJob) => void
}

export interface Scheduler {
  /** Tries to lead at once (so `isLeader` is meaningful when it returns), then keeps ticking and re-trying. */
  readonly start: () => Effect.Effect<void>
  /** Stops claiming, hands leadership over, waits for running handlers up to `timeoutMs` (then aborts them).
   *  True when every handler finished in time. */
  readonly stop: (timeoutMs?: number) => Effect.Effect<boolean>
  readonly isLeader: () => boolean
  /** Jobs this instance is running right now. */
  readonly runningJobs: () => ReadonlyArray<string>
}

/**
 * One active scheduler across instances that share a database. The leader holds a session advisory lock on a
 * connection of its own for as long as it leads; when that connection dies PostgreSQL drops the lock and a follower
 * (re-trying every `leaderRetryMs`) takes over. On PGlite (one process) the instance always leads.
 * Only the leader claims due jobs; each claim is a lease in `scheduled_jobs`, so even two leaders for a moment
 * (a hand-over) never run the same due job twice. Overdue jobs (after downtime) run once, then follow their schedule.
 */
export const makeScheduler = (options: SchedulerOptions): Scheduler => {
  const { db, database, owner, handlers, log } = options
  const tickMs = options.tickMs ?? 1000
  const leaseMs = options.leaseMs ?? 60_000
  const retryMs = options.leaderRetryMs ?? 1000
  const maxJobsPerTick = options.maxJobsPerTick ?? 20
  // PGlite is one process with one connection: pinning it would block every other query, and nobody competes.
  const lock =
    database.kind === "postgres"
      ? makeLeaderLock({ connect: leaderConnection(database), owner, log })
      : undefined

  let embeddedLeader = false
  let started = false
  let stopping = false
  const isLeader = () => !stopping && (lock ? lock.isHeld() : embeddedLeader)
  /** Runs in progress here, by job name. */
  const running = new Map<string, { readonly fiber: Fiber.Fiber<void>; readonly kind: string }>()
  const loops: { leader?: Fiber.Fiber<void>; tick?: Fiber.Fiber<void>; renew?: Fiber.Fiber<void> } = {}

  const runJob = (job: ScheduledJob): Effect.Effect<void> => {
    const handler = handlers[job.kind]
    const startedAt = Date.now()
    const body: Effect.Effect<void, unknown> = handler
      ? Effect.tryPromise({ try: (signal) => handler(job, signal), catch: (e) => e })
      : Effect.fail(new Error(`no handler for job kind "${job.kind}"`))
    const fields = { job: job.name, kind: job.kind, owner }
    return body.pipe(
      Effect.matchCauseEffect({
        onSuccess: () =>
          db
            .use("finishJob", (k) => finishJob(k, job, owner))
            .pipe(Effect.andThen(log.info("job finished", { ...fields, ms: Date.now() - startedAt }))),
        onFailure: (cause) => {
          const squashed = Cause.squash(cause)
          const error = describeError(squashed)
          options.onJobFailed?.(squashed, job)
          return log
            .error("job failed", { ...fields, ms: Date.now() - startedAt, ...error })
            .pipe(
              Effect.andThen(
                db.use("failJob", (k) => failJob(k, job, owner, `${error.error}: ${error.errorMessage}`)),
              ),
            )
        },
      }),
      Effect.onInterrupt(() =>
        log
          .warn("job interrupted by shutdown; it will run again", fields)
          .pipe(Effect.andThen(db.use("releaseJob", (k) => releaseJob(k, job.name, owner))), Effect.ignore),
      ),
      // A bookkeeping failure leaves the lease to expire; the job then runs again.
      Effect.catchCause((cause) =>
        log.error("job bookkeeping failed", { ...fields, ...describeError(Cause.squash(cause)) }),
      ),
      Effect.ensuring(Effect.sync(() => running.delete(job.name))),
    )
  }

  // Uninterruptible: a claim that reached the database is always followed by a run (or the jobs would sit
  // locked until their lease ends). Runs are root fibers, so `stop` can still interrupt them.
  const tick = Effect.uninterruptible(
    db
      .use("claimDueJobs", (k) =>
        claimDueJobs(k, owner, leaseMs, { limit: maxJobsPerTick, exclude: [...running.keys()] }),
      )
      .pipe(
        Effect.flatMap((jobs) =>
          Effect.sync(() => {
            for (const job of jobs)
              running.set(job.name, { fiber: Effect.runFork(runJob(job)), kind: job.kind })
          }),
        ),
        Effect.catch((e) =>
          log.warn("claiming due jobs failed", { operation: e.operation, ...describeError(e.cause) }),
        ),
      ),
  )

  const tickLoop = Effect.gen(function* () {
    while (true) {
      if (isLeader()) yield* tick
      yield* Effect.sleep(tickMs)
    }
  })

  const leaderLoop = Effect.gen(function* () {
    while (true) {
      yield* Effect.sleep(retryMs)
      if (lock && !lock.isHeld() && !stopping) yield* Effect.uninterruptible(Effect.promise(lock.tryAcquire))
    }
  })

  const renewLoop = Effect.gen(function* () {
    while (true) {
      yield* Effect.sleep(Math.max(100, leaseMs / 3))
      const names = [...running.keys()]
      yield* db
        .use("renewJobLeases", (k) => renewJobLeases(k, owner, names, leaseMs))
        .pipe(Effect.catch((e) => log.warn("renewing job leases failed", describeError(e.cause))))
    }
  })

  const start = () =>
    Effect.gen(function* () {
      if (started) return
      started = true
      if (lock) {
        yield* Effect.promise(lock.tryAcquire)
        loops.leader = yield* Effect.forkDetach(leaderLoop)
      } else {
        embeddedLeader = true
        yield* log.info("scheduler leads (embedded database)", { owner })
      }
      loops.tick = yield* Effect.forkDetach(tickLoop)
      loops.renew = yield* Effect.forkDetach(renewLoop)
    })

  const stop = (timeoutMs = 10_000) =>
    Effect.gen(function* () {
      if (stopping || !started) return true
      stopping = true
      // Waits for a claim or a leadership attempt in progress (both uninterruptible), then stops the loops;
      // bounded, for a database that stopped answering.
      yield* Fiber.interruptAll([loops.tick, loops.leader].filter((f) => f !== undefined)).pipe(
        Effect.timeoutOption(5000),
      )
      embeddedLeader = false
      if (lock) yield* Effect.promise(() => lock.release(5000))
      const resumable = new Set(options.resumableKinds ?? [])
      const runs = [...running.values()]
      yield* Fiber.interruptAll(runs.filter((r) => resumable.has(r.kind)).map((r) => r.fiber))
      const fibers = runs.map((r) => r.fiber)
      const finished = yield* Fiber.awaitAll(fibers).pipe(
        Effect.timeoutOption(timeoutMs),
        Effect.map((o) => o._tag === "Some"),
      )
      if (!finished) yield* Fiber.interruptAll(fibers)
      if (loops.renew) yield* Fiber.interrupt(loops.renew)
      yield* log.info("scheduler stopped", { owner, finished })
      return finished
    })

  return {
    start,
    stop,
    isLeader,
    runningJobs: () => [...running.keys()],
  }
}
