/**
 * Job kinds the bot schedules; each needs a handler passed to `makeScheduler` (implemented elsewhere).
 * - `sheets_export`: recurring export of statistics to Google Sheets (the original ran it every 15 min).
 * - `broadcast`: a one-off (or recurring) message to users; the payload says what and to whom.
 * - `retention`: recurring clean-up of old rows (processed inbox rows, AI call logs, …).
 * - `practice_nudges`: the weekly practice reminder (it creates the week's reminder broadcast).
 */
export const JOB_KINDS = {
  sheetsExport: "sheets_export",
  broadcast: "broadcast",
  retention: "retention",
  nudges: "practice_nudges",
} as const

export type JobKind = (typeof JOB_KINDS)[keyof typeof JOB_KINDS]
