export {
  assertTimezone,
  cancelJob,
  claimDueJobs,
  claimJob,
  failJob,
  findJob,
  finishJob,
  listJobs,
  nextRunOf,
  type OneOffJob,
  type RecurringJob,
  releaseJob,
  renewJobLeases,
  type ScheduledJob,
  scheduleOneOffJob,
  upsertRecurringJob,
} from "./jobs.repo"
export { JOB_KINDS, type JobKind } from "./kinds"
export { LEADER_LOCK, type LeaderLock, leaderConnection, makeLeaderLock } from "./leadership"
export { type JobHandler, makeScheduler, type Scheduler, type SchedulerOptions } from "./scheduler"
