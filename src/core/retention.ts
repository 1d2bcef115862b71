/** Processed updates (a learner's messages and the bot's answers) are kept this long at most, for diagnostics. */
export const INBOX_RETENTION_DAYS = 7

/** How long a processed update is kept: a week, or DIALOGUE_RETENTION_DAYS when that is shorter. */
export const inboxRetentionDays = (dialogueDays: number | undefined): number =>
  Math.min(INBOX_RETENTION_DAYS, dialogueDays ?? INBOX_RETENTION_DAYS)
