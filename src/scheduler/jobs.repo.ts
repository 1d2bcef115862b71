import { Cron } from "croner"
import { type Kysely, type Selectable, sql } from "kysely"
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

export const leaseUntil = (leaseMs: number) => sql<Date>`now() + make_interval(secs => ${leaseMs / 1000})`

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
