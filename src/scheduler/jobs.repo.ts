import { Cron } from "croner"
import { type ExpressionBuilder, type Kysely, type Selectable, sql } from "kysely"
import type { Database, ScheduledJobsTable } from "../../db/schema"
import { jsonb } from "../repositories/jsonb"

type Db = Kysely<Database>

export type ScheduledJob = Selectable<ScheduledJobsTable>

export interface RecurringJob {
  readonly name: string
  readonly kind: string
  /** A croner pattern: 5 fields (minute precision) or 6 fields (with seconds), e.g. `0 9 * * 1-5`. */
  readonly schedule: string
  /** IANA time zone the pattern is read in; UTC by default. */
  readonly timezone?: string
  readonly payload?: unknown
  readonly enabled?: boolean
}

export interface OneOffJob {
  readonly name: string
  readonly kind: string
  readonly runAt: Date
  readonly payload?: unknown
}

const leaseUntil = (leaseMs: number) => sql<Date>`now() + make_interval(secs => ${leaseMs / 1000})`

/** Throws a short RangeError for an unknown IANA zone (croner's own message is huge). */
export const assertTimezone = (timezone: string): void => {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: timezone })
  } catch {
    throw new RangeError(`unknown time zone: ${timezone}`)
  }
}

/** The first run of `schedule` strictly after `after`, read in `timezone`; null when the pattern has no more runs. */
export const nextRunOf = (schedule: string, timezone: string, after: Date = new Date()): Date | null => {
  assertTimezone(timezone)
  return new Cron(schedule, { timezone }).nextRun(after)
}

/**
 * Creates a recurring job or updates it. Its next run is kept when the pattern and time zone are unchanged (so a
 * restart neither skips nor repeats a run), and recomputed from now when they changed or there is none.
 * Throws on an invalid pattern or time zone before touching the database.
 */
export const upsertRecurringJob = async (
  db: Db,
  job: RecurringJob,
  now = new Date(),
): Promise<ScheduledJob> => {
  const timezone = job.timezone ?? "UTC"
  const next = nextRunOf(job.schedule, timezone, now)
  return db
    .insertInto("scheduled_jobs")
    .values({
      name: job.name,
      kind: job.kind,
      schedule: job.schedule,
      timezone,
      payload: jsonb(job.payload ?? {}),
      next_run_at: next,
      enabled: job.enabled ?? true,
    })
    .onConflict((oc) =>
      oc.column("name").doUpdateSet((eb) => ({
        kind: eb.ref("excluded.kind"),
        schedule: eb.ref("excluded.schedule"),
        timezone: eb.ref("excluded.timezone"),
        payload: eb.ref("excluded.payload"),
        enabled: eb.ref("excluded.enabled"),
        next_run_at: sql<Date | null>`case
          when scheduled_jobs.schedule is distinct from excluded.schedule
            or scheduled_jobs.timezone <> excluded.timezone
            or scheduled_jobs.next_run_at is null
          then excluded.next_run_at
          else scheduled_jobs.next_run_at end`,
        updated_at: sql<Date>`now()`,
      })),
    )
    .returningAll()
    .executeTakeFirstOrThrow()
}

/** Schedules (or reschedules) a job that runs once at `runAt`; a time in the past means "as soon as possible". */
export const scheduleOneOffJob = async (db: Db, job: OneOffJob): Promise<ScheduledJob> =>
  db
    .insertInto("scheduled_jobs")
    .values({
      name: job.name,
      kind: job.kind,
      schedule: null,
      timezone: "UTC",
      payload: jsonb(job.payload ?? {}),
      next_run_at: job.runAt,
      enabled: true,
    })
    .onConflict((oc) =>
      oc.column("name").doUpdateSet((eb) => ({
        kind: eb.ref("excluded.kind"),
        schedule: null,
        timezone: eb.ref("excluded.timezone"),
        payload: eb.ref("excluded.payload"),
        next_run_at: eb.ref("excluded.next_run_at"),
        enabled: true,
        updated_at: sql<Date>`now()`,
      })),
    )
    .returningAll()
    .executeTakeFirstOrThrow()

/** Disables a job (the row stays for its history). A run in progress finishes; no further run starts. */
export const cancelJob = async (db: Db, name: string): Promise<boolean> => {
  const r = await db
    .updateTable("scheduled_jobs")
    .set({ enabled: false, next_run_at: null, updated_at: sql<Date>`now()` })
    .where("name", "=", name)
    .where("enabled", "=", true)
    .executeTakeFirst()
  return r.numUpdatedRows > 0n
}

export const findJob = (db: Db, name: string): Promise<ScheduledJob | undefined> =>
  db.selectFrom("scheduled_jobs").selectAll().where("name", "=", name).executeTakeFirst()

export const listJobs = (db: Db): Promise<ScheduledJob[]> =>
  db.selectFrom("scheduled_jobs").selectAll().orderBy("name").execute()

/** Enabled, due, and no live lease on it. */
const isDueAndFree = ({ and, or, eb }: ExpressionBuilder<Database, "scheduled_jobs">) =>
  and([
    eb("enabled", "=", true),
    eb("next_run_at", "<=", sql<Date>`now()`),
    or([eb("locked_until", "is", null), eb("locked_until", "<", sql<Date>`now()`)]),
  ])

const claimedBy = (owner: string, leaseMs: number) => ({
  locked_by: owner,
  locked_until: leaseUntil(leaseMs),
  last_started_at: sql<Date>`now()`,
  updated_at: sql<Date>`now()`,
})

/** Takes one job if it is due and nobody holds its lease; across processes exactly one caller gets it. */
export const claimJob = (db: Db, name: string, owner: string, leaseMs: number) =>
  db
    .updateTable("scheduled_jobs")
    .set(claimedBy(owner, leaseMs))
    .where("name", "=", name)
    .where(isDueAndFree)
    .returningAll()
    .executeTakeFirst()

/**
 * Takes every due job nobody holds (oldest first, at most `limit`), skipping `exclude` (runs still in progress
 * here). Rows another transaction is claiming are skipped, so concurrent claimers never get the same job.
 */
export const claimDueJobs = (
  db: Db,
  owner: string,
  leaseMs: number,
  options: { readonly limit?: number; readonly exclude?: ReadonlyArray<string> } = {},
): Promise<ScheduledJob[]> => {
  const exclude = options.exclude ?? []
  const due = db
    .selectFrom("scheduled_jobs")
    .select("name")
    .where(isDueAndFree)
    .$if(exclude.length > 0, (q) => q.where("name", "not in", exclude))
    .orderBy("next_run_at")
    .limit(options.limit ?? 20)
    .forUpdate()
    .skipLocked()
  return db
    .updateTable("scheduled_jobs")
    .set(claimedBy(owner, leaseMs))
    .where("name", "in", due)
    .returningAll()
    .execute()
}

/** Extends the leases of jobs `owner` is still running, so a long run is not taken over. */
export const renewJobLeases = async (
  db: Db,
  owner: string,
  names: ReadonlyArray<string>,
  leaseMs: number,
) => {
  if (names.length === 0) return
  await db
    .updateTable("scheduled_jobs")
    .set({ locked_until: leaseUntil(leaseMs) })
    .where("locked_by", "=", owner)
    .where("name", "in", names)
    .execute()
}

/**
 * Ends a run of `job` claimed by `owner`: frees the lease, counts the run, stores `error` (null after a success)
 * and sets the next run. Recurring: the first cron time after now (missed runs are not replayed). One-off: disabled,
 * unless it was rescheduled while running. Returns false when the lease was lost to another instance.
 */
export const finishJob = (
  db: Db,
  job: ScheduledJob,
  owner: string,
  error: string | null = null,
  now = new Date(),
): Promise<boolean> =>
  db.transaction().execute(async (trx) => {
    const current = await trx
      .selectFrom("scheduled_jobs")
      .select(["schedule", "timezone", "next_run_at", "enabled"])
      .where("name", "=", job.name)
      .where("locked_by", "=", owner)
      .forUpdate()
      .executeTakeFirst()
    if (!current) return false
    // Never earlier than the run just made: a process clock behind the database's must not repeat it.
    const after = job.next_run_at && job.next_run_at > now ? job.next_run_at : now
    let next: Date | null = null
    let enabled = current.enabled
    let lastError = error
    if (current.schedule !== null) {
      try {
        next = current.enabled ? nextRunOf(current.schedule, current.timezone, after) : null
      } catch (e) {
        // A pattern stored by hand that croner rejects: park the job instead of failing every tick.
        enabled = false
        lastError = `invalid schedule: ${e instanceof Error ? e.message.slice(0, 300) : String(e)}`
      }
    } else if (
      current.enabled &&
      current.next_run_at &&
      job.next_run_at &&
      current.next_run_at > job.next_run_at
    ) {
      next = current.next_run_at
    } else {
      next = null
      enabled = false
    }
    await trx
      .updateTable("scheduled_jobs")
      .set((eb) => ({
        locked_by: null,
        locked_until: null,
        last_finished_at: sql<Date>`now()`,
        last_error: lastError,
        runs: eb("runs", "+", 1),
        next_run_at: next,
        enabled,
        updated_at: sql<Date>`now()`,
      }))
      .where("name", "=", job.name)
      .where("locked_by", "=", owner)
      .execute()
    return true
  })

/** A failed run: the error is recorded and the next run is set as after a success (a one-off is not retried). */
export const failJob = (db: Db, job: ScheduledJob, owner: string, error: string, now = new Date()) =>
  finishJob(db, job, owner, error.slice(0, 2000), now)

/** Frees the lease of an interrupted run without moving its next run: the job runs again, soon, somewhere. */
export const releaseJob = (db: Db, name: string, owner: string) =>
  db
    .updateTable("scheduled_jobs")
    .set({ locked_by: null, locked_until: null, updated_at: sql<Date>`now()` })
    .where("name", "=", name)
    .where("locked_by", "=", owner)
    .execute()
