import type { Kysely } from "kysely"
import type { Database } from "../../db/schema"
import { pruneActivity, recordActivity } from "../admin/activity.repo"
import type { AppConfig } from "../config/config"
import { inboxRetentionDays } from "../core/retention"
import { resumeNudges } from "../nudges/job"
import { deleteProcessedUpdates } from "../repositories/inbox.repo"
import { deleteIdleLimits } from "../repositories/limits.repo"
import { vacuumEverything } from "../repositories/maintenance.repo"
import { expireDialogues } from "../repositories/privacy.repo"
import type { MetricsShape } from "../services/metrics"
import { cancelJob, type RecurringJob, upsertRecurringJob } from "./jobs.repo"
import { JOB_KINDS } from "./kinds"
import type { JobHandler } from "./scheduler"

/** A croner pattern for «every `seconds`», rounded to what a cron field can say (s < 60, whole minutes, hours). */
export const everySeconds = (seconds: number): string => {
  if (seconds < 60) return `*/${Math.max(1, Math.round(seconds))} * * * * *`
  const minutes = Math.max(1, Math.round(seconds / 60))
  if (minutes < 60) return `0 */${minutes} * * * *`
  return `0 0 */${Math.min(23, Math.round(minutes / 60))} * * *`
}

/**
 * Nightly clean-up. Processed updates (the learner's messages and the bot's answers, AI commands included) go
 * after a week, or sooner when DIALOGUE_RETENTION_DAYS is shorter; dialogue text elsewhere past that period.
 * The embedded database is vacuumed after that (PostgreSQL's autovacuum does it there).
 */
export const retention = async (
  db: Kysely<Database>,
  dialogueDays: number | undefined,
  timeZone: string,
  embedded = false,
) => {
  const inboxDays = inboxRetentionDays(dialogueDays)
  try {
    // Who was active on which day outlives the inbox: copied first, so no purged update goes uncounted.
    await recordActivity(db, timeZone)
    await pruneActivity(db)
    await deleteProcessedUpdates(db, inboxDays)
    if (dialogueDays !== undefined) await expireDialogues(db, dialogueDays)
    await deleteIdleLimits(db)
    await resumeNudges(db)
  } finally {
    // Even after a failed step: a vacuum skipped night after night is the slowdown it prevents.
    if (embedded) await vacuumEverything(db)
  }
}

/** The recurring jobs this configuration wants; switched-off ones are cancelled so a restart cannot revive them. */
export const ensureAppJobs = async (db: Kysely<Database>, config: AppConfig) => {
  const { env } = config
  const timezone = env.APSCHEDULER_TIMEZONE
  const jobs: RecurringJob[] = [
    { name: "retention", kind: JOB_KINDS.retention, schedule: "0 30 3 * * *", timezone },
    { name: "practice_nudges", kind: JOB_KINDS.nudges, schedule: env.NUDGE_SCHEDULE, timezone },
  ]
  if (env.SHEETS_EXPORT_ENABLED)
    jobs.push({
      name: "sheets_export",
      kind: JOB_KINDS.sheetsExport,
      schedule: everySeconds(env.EXPORT_INTERVAL_SECONDS),
      timezone,
    })
  else await cancelJob(db, "sheets_export")
  for (const job of jobs) await upsertRecurringJob(db, job)
}

/** Job handlers that count their runs by kind and outcome (bot_job_runs_total). */
export const counted = (
  metrics: MetricsShape,
  handlers: Readonly<Record<string, JobHandler>>,
): Record<string, JobHandler> =>
  Object.fromEntries(
    Object.entries(handlers).map(([kind, run]) => [
      kind,
      async (job, signal) => {
        try {
          await run(job, signal)
          metrics.jobRuns.inc({ kind, outcome: "ok" })
        } catch (error) {
          metrics.jobRuns.inc({ kind, outcome: "failed" })
          throw error
        }
      },
    ]),
  )
