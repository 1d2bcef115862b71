import { beforeEach, describe, expect, setDefaultTimeout, test } from "bun:test"
import { sql } from "kysely"
import {
  claimDueJobs,
  claimJob,
  failJob,
  finishJob,
  releaseJob,
  renewJobLeases,
} from "../../src/scheduler/job-runs.repo"
import {
  cancelJob,
  findJob,
  nextRunOf,
  scheduleOneOffJob,
  upsertRecurringJob,
} from "../../src/scheduler/jobs.repo"
import { type Db, useRepositoryDatabase } from "../repositories/database"
import { backends } from "../support/database"

// The first PGlite boot of a run takes seconds; bun applies this to this file only.
setDefaultTimeout(30_000)

const LEASE = 60_000
const NOW = new Date("2026-03-10T12:34:56.789Z")
/** A Friday in the future: a finish never schedules before the run it ends, so "now" must be after it. */
const FRIDAY = new Date("2027-03-12T15:00:00.000Z")

/** Makes a job due now (in the database's clock) without touching anything else. */
const makeDue = (db: Db, name: string) =>
  sql`update scheduled_jobs set next_run_at = now() - interval '1 second' where name = ${name}`.execute(db)

/** Seconds from the database's now() to the job's lease end. */
const leaseLeft = async (db: Db, name: string) => {
  const r = await sql<{ s: number }>`
    select extract(epoch from locked_until - now())::float8 as s from scheduled_jobs where name = ${name}`.execute(
    db,
  )
  return Number(r.rows[0]!.s)
}

describe.each(backends)("scheduled jobs repository (%s)", (backend) => {
  const db = useRepositoryDatabase(backend)
  beforeEach(async () => {
    await sql`delete from scheduled_jobs`.execute(db())
  })

  describe("upsertRecurringJob", () => {
    test("new job → row with the cron's next run after now in its time zone, enabled, no lease, 0 runs", async () => {
      const job = await upsertRecurringJob(
        db(),
        {
          name: "export",
          kind: "sheets_export",
          schedule: "0 9 * * *",
          timezone: "Europe/Moscow",
          payload: { a: 1 },
        },
        NOW,
      )
      expect(job).toMatchObject({
        name: "export",
        kind: "sheets_export",
        schedule: "0 9 * * *",
        timezone: "Europe/Moscow",
        payload: { a: 1 },
        enabled: true,
        locked_by: null,
        locked_until: null,
        runs: 0,
        last_error: null,
      })
      // 09:00 in Moscow (UTC+3) is 06:00Z; at 12:34Z today's has passed → tomorrow.
      expect(job.next_run_at).toEqual(new Date("2026-03-11T06:00:00.000Z"))
      expect(await findJob(db(), "export")).toEqual(job)
    })

    test("same pattern and zone again (later, new payload) → next run kept, payload and kind updated", async () => {
      const first = await upsertRecurringJob(db(), { name: "j", kind: "a", schedule: "*/15 * * * *" }, NOW)
      const later = new Date(NOW.getTime() + 3_600_000)
      const again = await upsertRecurringJob(
        db(),
        { name: "j", kind: "b", schedule: "*/15 * * * *", payload: { v: 2 } },
        later,
      )
      expect(again.next_run_at).toEqual(first.next_run_at)
      expect(again).toMatchObject({ kind: "b", payload: { v: 2 }, timezone: "UTC" })
      expect(again.created_at).toEqual(first.created_at)
    })

    test("overdue next run and same pattern → kept overdue (runs once at start, not skipped)", async () => {
      await upsertRecurringJob(db(), { name: "j", kind: "a", schedule: "0 3 * * *" }, NOW)
      await sql`update scheduled_jobs set next_run_at = '2020-01-01T03:00:00Z' where name = 'j'`.execute(db())
      const again = await upsertRecurringJob(db(), { name: "j", kind: "a", schedule: "0 3 * * *" })
      expect(again.next_run_at).toEqual(new Date("2020-01-01T03:00:00Z"))
    })

    test("changed pattern or zone → next run recomputed from now", async () => {
      await upsertRecurringJob(db(), { name: "j", kind: "a", schedule: "0 9 * * *" }, NOW)
      const hourly = await upsertRecurringJob(db(), { name: "j", kind: "a", schedule: "0 * * * *" }, NOW)
      expect(hourly.next_run_at).toEqual(new Date("2026-03-10T13:00:00.000Z"))
      const zoned = await upsertRecurringJob(
        db(),
        { name: "j", kind: "a", schedule: "0 * * * *", timezone: "Asia/Kolkata" },
        NOW,
      )
      // UTC+5:30: whole local hours fall on :30 UTC.
      expect(zoned.next_run_at).toEqual(new Date("2026-03-10T13:30:00.000Z"))
    })

    test("cancelled job upserted again → enabled with a fresh next run", async () => {
      await upsertRecurringJob(db(), { name: "j", kind: "a", schedule: "0 9 * * *" }, NOW)
      await cancelJob(db(), "j")
      const back = await upsertRecurringJob(db(), { name: "j", kind: "a", schedule: "0 9 * * *" }, NOW)
      expect(back.enabled).toBe(true)
      expect(back.next_run_at).toEqual(new Date("2026-03-11T09:00:00.000Z"))
    })

    test("invalid pattern or time zone → throws, nothing stored", async () => {
      await expect(
        upsertRecurringJob(db(), { name: "bad", kind: "a", schedule: "every day" }),
      ).rejects.toThrow()
      await expect(
        upsertRecurringJob(db(), { name: "bad", kind: "a", schedule: "0 9 * * *", timezone: "Mars/Olympus" }),
      ).rejects.toThrow("unknown time zone: Mars/Olympus")
      expect(await findJob(db(), "bad")).toBeUndefined()
    })
  })

  describe("scheduleOneOffJob", () => {
    test("future time → stored with no schedule, not claimable yet", async () => {
      const runAt = new Date(Date.now() + 3_600_000)
      const job = await scheduleOneOffJob(db(), {
        name: "b1",
        kind: "broadcast",
        runAt,
        payload: { text: "hi" },
      })
      expect(job).toMatchObject({ schedule: null, enabled: true, payload: { text: "hi" } })
      expect(job.next_run_at).toEqual(runAt)
      expect(await claimJob(db(), "b1", "a", LEASE)).toBeUndefined()
      expect(await claimDueJobs(db(), "a", LEASE)).toEqual([])
    })

    test("past time → claimable; finished → disabled, no next run, 1 run", async () => {
      await scheduleOneOffJob(db(), { name: "b2", kind: "broadcast", runAt: new Date(Date.now() - 1000) })
      const claimed = await claimJob(db(), "b2", "a", LEASE)
      expect(claimed?.locked_by).toBe("a")
      expect(await finishJob(db(), claimed!, "a")).toBe(true)
      expect(await findJob(db(), "b2")).toMatchObject({
        enabled: false,
        next_run_at: null,
        runs: 1,
        locked_by: null,
        locked_until: null,
        last_error: null,
      })
      expect((await findJob(db(), "b2"))?.last_finished_at).toBeInstanceOf(Date)
      expect(await claimDueJobs(db(), "a", LEASE)).toEqual([])
    })

    test("failed → disabled (not retried), error recorded", async () => {
      await scheduleOneOffJob(db(), { name: "b3", kind: "broadcast", runAt: new Date(Date.now() - 1000) })
      const claimed = await claimJob(db(), "b3", "a", LEASE)
      await failJob(db(), claimed!, "a", "Error: boom")
      expect(await findJob(db(), "b3")).toMatchObject({ enabled: false, last_error: "Error: boom", runs: 1 })
    })

    test("rescheduled while running → keeps the new time and stays enabled after the run", async () => {
      await scheduleOneOffJob(db(), { name: "b4", kind: "broadcast", runAt: new Date(Date.now() - 1000) })
      const claimed = await claimJob(db(), "b4", "a", LEASE)
      const later = new Date(Date.now() + 3_600_000)
      await scheduleOneOffJob(db(), { name: "b4", kind: "broadcast", runAt: later })
      await finishJob(db(), claimed!, "a")
      const row = (await findJob(db(), "b4"))!
      expect(row).toMatchObject({ enabled: true, locked_by: null })
      expect(row.next_run_at).toEqual(later)
    })
  })

  describe("claim", () => {
    test("due job → claimed with a lease about leaseMs ahead and last_started_at set", async () => {
      await upsertRecurringJob(db(), { name: "j", kind: "a", schedule: "* * * * *" })
      await makeDue(db(), "j")
      const job = await claimJob(db(), "j", "a", LEASE)
      expect(job).toMatchObject({ name: "j", locked_by: "a" })
      expect(job?.last_started_at).toBeInstanceOf(Date)
      const left = await leaseLeft(db(), "j")
      expect(left).toBeGreaterThan(55)
      expect(left).toBeLessThanOrEqual(60)
    })

    test("live lease → nobody (not even the holder) claims it again; expired lease → taken over", async () => {
      await upsertRecurringJob(db(), { name: "j", kind: "a", schedule: "* * * * *" })
      await makeDue(db(), "j")
      expect(await claimJob(db(), "j", "a", LEASE)).toBeDefined()
      expect(await claimJob(db(), "j", "b", LEASE)).toBeUndefined()
      expect(await claimJob(db(), "j", "a", LEASE)).toBeUndefined()
      expect(await claimDueJobs(db(), "b", LEASE)).toEqual([])
      await sql`update scheduled_jobs set locked_until = now() - interval '1 second'`.execute(db())
      expect((await claimJob(db(), "j", "b", LEASE))?.locked_by).toBe("b")
      // The old holder's late finish changes nothing: the lease is no longer its own.
      expect(await finishJob(db(), (await findJob(db(), "j"))!, "a")).toBe(false)
      expect((await findJob(db(), "j"))?.locked_by).toBe("b")
    })

    test("two concurrent claims of one due job → exactly one wins", async () => {
      await upsertRecurringJob(db(), { name: "j", kind: "a", schedule: "* * * * *" })
      for (let round = 0; round < 5; round++) {
        await sql`update scheduled_jobs set locked_by = null, locked_until = null`.execute(db())
        await makeDue(db(), "j")
        const results = await Promise.all([claimJob(db(), "j", "a", LEASE), claimJob(db(), "j", "b", LEASE)])
        const winners = results.filter((r) => r !== undefined)
        expect(winners).toHaveLength(1)
        expect((await findJob(db(), "j"))?.locked_by).toBe(winners[0]!.locked_by)
      }
    })

    test("claimDueJobs by 4 owners at once over 6 due jobs → every job claimed exactly once", async () => {
      for (let i = 0; i < 6; i++) {
        await upsertRecurringJob(db(), { name: `j${i}`, kind: "a", schedule: "* * * * *" })
        await makeDue(db(), `j${i}`)
      }
      await upsertRecurringJob(db(), { name: "later", kind: "a", schedule: "0 0 1 1 *" })
      const owners = ["o1", "o2", "o3", "o4"]
      const results = await Promise.all(owners.map((o) => claimDueJobs(db(), o, LEASE)))
      const names = results.flat().map((j) => j.name)
      expect(names.sort()).toEqual(["j0", "j1", "j2", "j3", "j4", "j5"])
      for (const [i, jobs] of results.entries())
        for (const job of jobs) expect(job.locked_by).toBe(owners[i]!)
    })

    test("claimDueJobs → oldest first, at most limit, skips excluded and disabled jobs", async () => {
      for (const [name, ago] of [
        ["a", 30],
        ["b", 10],
        ["c", 20],
        ["d", 40],
      ] as const) {
        await scheduleOneOffJob(db(), { name, kind: "k", runAt: new Date(Date.now() - ago * 1000) })
      }
      await cancelJob(db(), "d")
      const jobs = await claimDueJobs(db(), "o", LEASE, { limit: 2, exclude: ["c"] })
      expect(jobs.map((j) => j.name)).toEqual(["a", "b"])
    })

    test("renewJobLeases → only the owner's named jobs move forward", async () => {
      for (const name of ["x", "y"]) {
        await scheduleOneOffJob(db(), { name, kind: "k", runAt: new Date(Date.now() - 1000) })
      }
      await claimJob(db(), "x", "a", 1_000)
      await claimJob(db(), "y", "b", 1_000)
      await renewJobLeases(db(), "a", ["x", "y"], LEASE)
      expect(await leaseLeft(db(), "x")).toBeGreaterThan(55)
      expect(await leaseLeft(db(), "y")).toBeLessThan(2)
    })

    test("releaseJob → lease freed, next run unchanged, claimable again at once", async () => {
      const runAt = new Date(Date.now() - 1000)
      await scheduleOneOffJob(db(), { name: "r", kind: "k", runAt })
      await claimJob(db(), "r", "a", LEASE)
      await releaseJob(db(), "r", "a")
      const row = (await findJob(db(), "r"))!
      expect(row).toMatchObject({ locked_by: null, runs: 0 })
      expect(row.next_run_at).toEqual(runAt)
      expect((await claimJob(db(), "r", "b", LEASE))?.locked_by).toBe("b")
    })
  })

  describe("finish", () => {
    test("recurring job → next run from now by its pattern and zone, lease freed, runs + 1", async () => {
      await upsertRecurringJob(db(), {
        name: "daily",
        kind: "k",
        schedule: "30 9 * * 1-5",
        timezone: "America/New_York",
      })
      await makeDue(db(), "daily")
      const claimed = (await claimJob(db(), "daily", "a", LEASE))!
      // Friday 15:00Z (10:00 EST) → the next weekday 09:30 in New York is Monday, in EDT (UTC-4) from March 14.
      expect(await finishJob(db(), claimed, "a", null, FRIDAY)).toBe(true)
      const row = (await findJob(db(), "daily"))!
      expect(row.next_run_at).toEqual(new Date("2027-03-15T13:30:00.000Z"))
      expect(row.next_run_at).toEqual(nextRunOf("30 9 * * 1-5", "America/New_York", FRIDAY))
      expect(row).toMatchObject({
        locked_by: null,
        locked_until: null,
        runs: 1,
        enabled: true,
        last_error: null,
      })
    })

    test("overdue by hours → one finish sets the next run after now (missed runs are not replayed)", async () => {
      await upsertRecurringJob(db(), { name: "m", kind: "k", schedule: "*/5 * * * *" })
      await sql`update scheduled_jobs set next_run_at = now() - interval '3 hours'`.execute(db())
      const claimed = (await claimJob(db(), "m", "a", LEASE))!
      await finishJob(db(), claimed, "a")
      const row = (await findJob(db(), "m"))!
      expect(row.next_run_at!.getTime()).toBeGreaterThan(Date.now())
      expect(row.next_run_at!.getTime()).toBeLessThanOrEqual(Date.now() + 5 * 60_000)
      expect(await claimJob(db(), "m", "a", LEASE)).toBeUndefined()
    })

    test("6-field pattern → next run is the next second, never the second just run", async () => {
      await upsertRecurringJob(db(), { name: "s", kind: "k", schedule: "* * * * * *" })
      const claimed = { ...(await findJob(db(), "s"))!, locked_by: "a" }
      await sql`update scheduled_jobs set locked_by = 'a'`.execute(db())
      // A process clock behind the scheduled second must not schedule the same second again.
      const behind = new Date(claimed.next_run_at!.getTime() - 300)
      await finishJob(db(), claimed, "a", null, behind)
      expect((await findJob(db(), "s"))?.next_run_at).toEqual(new Date(claimed.next_run_at!.getTime() + 1000))
    })

    test("failure → error stored, lease freed, next run as usual", async () => {
      await upsertRecurringJob(db(), { name: "f", kind: "k", schedule: "0 * * * *" })
      await makeDue(db(), "f")
      const claimed = (await claimJob(db(), "f", "a", LEASE))!
      await failJob(db(), claimed, "a", "Error: sheets unavailable", FRIDAY)
      const row = (await findJob(db(), "f"))!
      expect(row).toMatchObject({
        last_error: "Error: sheets unavailable",
        locked_by: null,
        locked_until: null,
        runs: 1,
        enabled: true,
      })
      // (bun's toMatchObject does not compare Date values: dates are checked with toEqual.)
      expect(row.next_run_at).toEqual(new Date("2027-03-12T16:00:00.000Z"))
      // A later success clears the error.
      await makeDue(db(), "f")
      await finishJob(db(), (await claimJob(db(), "f", "a", LEASE))!, "a")
      expect(await findJob(db(), "f")).toMatchObject({ last_error: null, runs: 2 })
    })
  })

  describe("cancelJob", () => {
    test("enabled job → true, disabled with no next run, never claimed; again → false", async () => {
      await upsertRecurringJob(db(), { name: "c", kind: "k", schedule: "* * * * *" })
      await makeDue(db(), "c")
      expect(await cancelJob(db(), "c")).toBe(true)
      expect(await findJob(db(), "c")).toMatchObject({ enabled: false, next_run_at: null })
      expect(await claimJob(db(), "c", "a", LEASE)).toBeUndefined()
      expect(await claimDueJobs(db(), "a", LEASE)).toEqual([])
      expect(await cancelJob(db(), "c")).toBe(false)
      expect(await cancelJob(db(), "missing")).toBe(false)
    })

    test("cancelled while running → the run's finish keeps it disabled", async () => {
      await upsertRecurringJob(db(), { name: "c2", kind: "k", schedule: "* * * * *" })
      await makeDue(db(), "c2")
      const claimed = (await claimJob(db(), "c2", "a", LEASE))!
      await cancelJob(db(), "c2")
      await finishJob(db(), claimed, "a")
      expect(await findJob(db(), "c2")).toMatchObject({ enabled: false, next_run_at: null, locked_by: null })
    })
  })
})
