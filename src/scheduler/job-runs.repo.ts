import { type ExpressionBuilder, type Kysely, sql } from "kysely"
import type { Database } from "../../db/schema"
import { leaseUntil, nextRunOf, type ScheduledJob } from "./jobs.repo"

/** A job's runs: claimed under a lease by one instance, renewed while it runs, then finished, failed or released. */

type Db = Kysely<Database>

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
