import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test"
import { sql } from "kysely"
import { findJob, scheduleOneOffJob, upsertRecurringJob } from "../../src/scheduler/jobs.repo"
import { makeScheduler, type Scheduler } from "../../src/scheduler/scheduler"
import type { DbShape } from "../../src/services/db"
import { migrateToLatest } from "../../src/services/db"
import { configOf } from "../repositories/database"
import { backends, type FreshDatabase, freshDatabase } from "../support/database"
import {
  collectingLog,
  dueSeconds,
  gapsOf,
  openDb,
  type Run,
  recorder,
  run,
  sleep,
  untilAborted,
  waitFor,
} from "./support"

// The first PGlite boot of a run takes seconds; bun applies this to this file only.
setDefaultTimeout(30_000)

const EVERY_SECOND = "* * * * * *"

/** Closes what a test opened, last first, whatever happened (tests here run concurrently: no shared hooks). */
const scoped = async (body: (scope: Scope) => Promise<void>) => {
  const steps: Array<() => Promise<unknown>> = []
  const scope: Scope = {
    fresh: async (backend) => {
      const db = await freshDatabase(backend)
      steps.push(() => db.drop())
      return db
    },
    open: async (fresh) => {
      const db = await openDb(fresh)
      steps.push(() => db.kysely.destroy())
      return db
    },
    migratedPglite: async () => {
      const database = await scope.fresh("pglite")
      const db = await scope.open(database)
      await migrateToLatest(db.kysely)
      return { database, db }
    },
    started: async (scheduler) => {
      steps.push(() => run(scheduler.stop(1000)))
      await run(scheduler.start())
      return scheduler
    },
  }
  try {
    await body(scope)
  } finally {
    for (const step of steps.reverse()) await step().catch(() => {})
  }
}

interface Scope {
  readonly fresh: (backend: FreshDatabase["backend"]) => Promise<FreshDatabase>
  readonly open: (fresh: FreshDatabase) => Promise<DbShape>
  /** A fresh PGlite database, opened and migrated. */
  readonly migratedPglite: () => Promise<{ database: FreshDatabase; db: DbShape }>
  readonly started: (scheduler: Scheduler) => Promise<Scheduler>
}

/** A one-off job that is already due. */
const scheduleDue = (db: DbShape, name: string, kind: string) =>
  scheduleOneOffJob(db.kysely, { name, kind, runAt: new Date(Date.now() - 1000) })

// Mostly waiting on the clock: the scenarios run side by side to keep the suite short. Waits are "until N runs"
// rather than fixed sleeps, since an embedded PGlite opening next door can hold the event loop for a moment.
describe.concurrent("scheduler", () => {
  // PGlite's first boot (initdb, seconds of blocked event loop) happens before any clock starts.
  beforeAll(async () => {
    await (await freshDatabase("pglite")).drop()
  })

  for (const backend of backends) {
    test(`${backend}: job overdue by an hour at start → runs once, then every second; after a restart it continues`, () =>
      scoped(async ({ fresh, open, started }) => {
        const database = await fresh(backend)
        const first = await open(database)
        await migrateToLatest(first.kysely)
        await upsertRecurringJob(first.kysely, { name: "tick", kind: "probe", schedule: EVERY_SECOND })
        await sql`update scheduled_jobs set next_run_at = now() - interval '1 hour'`.execute(first.kysely)

        const runs: Run[] = []
        const { log } = collectingLog()
        const startedAt = Date.now()
        const a = await started(
          makeScheduler({
            db: first,
            database: configOf(database),
            owner: "a",
            handlers: { probe: recorder("a", runs) },
            tickMs: 100,
            log,
          }),
        )
        expect(a.isLeader()).toBe(true)
        await waitFor("the overdue run and two more", () => runs.length >= 3, 15_000)
        expect(await run(a.stop())).toBe(true)
        const firstSession = runs.length

        // The missed hour is one run, made first and at once (within seconds, not at the next due time, give or
        // take a loaded CI machine); then the pattern's seconds, none twice, none skipped.
        expect(runs[0]!.due).toBeLessThan(startedAt - 3_500_000)
        expect(runs[0]!.at).toBeLessThanOrEqual(runs[1]!.at)
        expect(runs[0]!.at - startedAt).toBeLessThan(10_000)
        expect(runs.slice(1).every((r) => r.due > startedAt)).toBe(true)
        expect(gapsOf(runs.slice(1)).every((g) => g === 1)).toBe(true)
        expect(runs.slice(1).every((r) => r.at - r.due < 1500)).toBe(true)

        // Down (the process's database handle closed) until a scheduled second has passed, then a new instance.
        const due = (await findJob(first.kysely, "tick"))!.next_run_at!.getTime()
        await first.kysely.destroy()
        await sleep(Math.max(0, due - Date.now()) + 150)
        const second = await open(database)
        const stored = (await findJob(second.kysely, "tick"))!
        expect(stored.runs).toBe(firstSession)
        expect(stored.locked_by).toBeNull()
        expect(stored.next_run_at!.getTime()).toBeLessThan(Date.now())

        const restartedAt = Date.now()
        const b = await started(
          makeScheduler({
            db: second,
            database: configOf(database),
            owner: "b",
            handlers: { probe: recorder("b", runs) },
            tickMs: 100,
            log,
          }),
        )
        await waitFor("the missed second and the next", () => runs.length >= firstSession + 2, 15_000)
        await run(b.stop())
        const later = runs.slice(firstSession)
        // The second that came due while down runs once at start; the ones after it follow the pattern.
        expect(later[0]!.due).toBe(stored.next_run_at!.getTime())
        expect(later[0]!.at - restartedAt).toBeLessThan(1000)
        expect(later[1]!.due).toBeGreaterThan(restartedAt)
        expect(gapsOf(later.slice(1)).every((g) => g === 1)).toBe(true)
        expect(new Set(dueSeconds(runs)).size).toBe(runs.length)
        expect((await findJob(second.kysely, "tick"))!.runs).toBe(runs.length)
      }))
  }

  test("pglite: failing handler and unknown kind → logged and recorded; the scheduler and other jobs go on", () =>
    scoped(async ({ migratedPglite, started }) => {
      const { database, db } = await migratedPglite()
      for (const [name, kind] of [
        ["bad", "boom"],
        ["good", "probe"],
        ["orphan", "nobody-handles-this"],
      ] as const) {
        await upsertRecurringJob(db.kysely, { name, kind, schedule: EVERY_SECOND })
      }
      await scheduleDue(db, "once", "boom")
      const runs: Run[] = []
      let failures = 0
      const { log, lines } = collectingLog()
      const s = await started(
        makeScheduler({
          db,
          database: configOf(database),
          owner: "solo",
          tickMs: 100,
          log,
          handlers: {
            probe: recorder("solo", runs),
            boom: async () => {
              failures++
              throw new TypeError("sheet not found")
            },
          },
        }),
      )
      await waitFor("three failures and two good runs", () => failures >= 3 && runs.length >= 2, 15_000)
      expect(s.isLeader()).toBe(true)
      await run(s.stop())

      const bad = (await findJob(db.kysely, "bad"))!
      expect(bad).toMatchObject({ enabled: true, last_error: "TypeError: sheet not found", locked_by: null })
      expect(bad.runs).toBeGreaterThanOrEqual(2)
      expect(bad.next_run_at!.getTime()).toBeGreaterThan(Date.now() - 1500)
      const orphan = (await findJob(db.kysely, "orphan"))!
      expect(orphan.last_error).toContain('no handler for job kind "nobody-handles-this"')
      expect(orphan.enabled).toBe(true)
      // A failed one-off is not retried.
      expect(await findJob(db.kysely, "once")).toMatchObject({ enabled: false, runs: 1 })
      expect((await findJob(db.kysely, "good"))!.last_error).toBeNull()

      const failed = lines.filter((l) => l.msg === "job failed")
      expect(failed.some((l) => l.level === "error" && l.job === "bad" && l.error === "TypeError")).toBe(true)
      expect(failed.some((l) => l.job === "orphan")).toBe(true)
    }))

  test("pglite: stop → no run starts after it; a slow handler is awaited up to the limit, then aborted and released", () =>
    scoped(async ({ migratedPglite, started }) => {
      const { database, db } = await migratedPglite()
      await scheduleDue(db, "slow", "slow")
      await scheduleDue(db, "quick", "quick")
      let aborted = false
      let quickDone = false
      const { log } = collectingLog()
      const s = await started(
        makeScheduler({
          db,
          database: configOf(database),
          owner: "solo",
          tickMs: 50,
          log,
          handlers: {
            slow: untilAborted(() => {
              aborted = true
            }),
            quick: async () => {
              await sleep(150)
              quickDone = true
            },
          },
        }),
      )
      await waitFor("both jobs running", () => s.runningJobs().length === 2, 10_000)
      const stopping = Date.now()
      expect(await run(s.stop(400))).toBe(false)
      expect(Date.now() - stopping).toBeLessThan(1500)
      expect(quickDone).toBe(true)
      expect(aborted).toBe(true)
      expect(s.isLeader()).toBe(false)
      expect(s.runningJobs()).toEqual([])

      // The finished one-off is done; the interrupted one keeps its time and is free to run again.
      expect(await findJob(db.kysely, "quick")).toMatchObject({ enabled: false, runs: 1 })
      const slow = (await findJob(db.kysely, "slow"))!
      expect(slow).toMatchObject({ enabled: true, runs: 0, locked_by: null, locked_until: null })
      expect(slow.next_run_at!.getTime()).toBeLessThan(Date.now())

      // Stopped means stopped: a due job is not picked up any more.
      await scheduleDue(db, "after", "quick")
      await sleep(300)
      expect((await findJob(db.kysely, "after"))!.runs).toBe(0)
    }))

  test("pglite: a resumable kind (a broadcast) is interrupted at stop at once, not awaited; it stays due", () =>
    scoped(async ({ migratedPglite, started }) => {
      const { database, db } = await migratedPglite()
      await scheduleDue(db, "long", "long")
      let aborted = false
      const { log } = collectingLog()
      const s = await started(
        makeScheduler({
          db,
          database: configOf(database),
          owner: "solo",
          tickMs: 50,
          log,
          resumableKinds: ["long"],
          handlers: {
            long: untilAborted(() => {
              aborted = true
            }),
          },
        }),
      )
      await waitFor("the job running", () => s.runningJobs().length === 1, 10_000)
      const stopping = Date.now()
      expect(await run(s.stop(10_000))).toBe(true)
      expect(Date.now() - stopping).toBeLessThan(2000)
      expect(aborted).toBe(true)
      expect(await findJob(db.kysely, "long")).toMatchObject({ enabled: true, runs: 0, locked_by: null })
    }))
})
