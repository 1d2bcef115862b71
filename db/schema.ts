import type { ColumnType, Generated, Insertable, RawBuilder, Selectable } from "kysely"

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>
type Json<T> = ColumnType<T, RawBuilder<string>, RawBuilder<string>>

/** Same name and columns as the Python bot's table, plus profile columns for admin lists. */
export interface AuthorizedUsersTable {
  user_id: number
  role: "user" | "admin"
  created_at: Generated<Date>
  username: string | null
  first_name: string | null
  last_seen_at: Timestamp | null
}

export interface CaseStatsTable {
  user_id: number
  case_id: string
  stat: string
  cnt: number
  updated_at: Generated<Date>
}

export interface BotRatingsTable {
  user_id: number
  question: string
  rating: number
  updated_at: Generated<Date>
}

export interface RatingCommentsTable {
  id: Generated<number>
  user_id: number
  comment: string
  created_at: Generated<Date>
}

export interface RatingInvitesTable {
  user_id: number
  sent_at: Generated<Date>
}

/** One row per chat: the pure reducers' state, guarded by an optimistic version. */
export interface ChatSessionsTable {
  chat_id: number
  state: Json<unknown>
  version: number
  updated_at: Generated<Date>
}

/**
 * Everything that reaches a chat, in arrival order (a feedback event at its command's row, `place`): Telegram
 * updates and the interpreter's feedback events.
 * `commands` is the reducer's output saved with the new state (an outbox), so a crash after the state was saved
 * resumes the remaining commands instead of running the reducer twice.
 */
export interface UpdateInboxTable {
  id: Generated<number>
  update_id: number | null
  chat_id: number
  kind: "update" | "event"
  payload: Json<unknown>
  received_at: Generated<Date>
  reduced_at: Timestamp | null
  commands: Json<unknown> | null
  commands_done: Generated<number>
  processed_at: Timestamp | null
  attempts: Generated<number>
  last_error: string | null
  /** Where the row stands in its chat's order when not at its id: a feedback event, at the row it answers. */
  place: number | null
}

/** Who is processing a chat right now; expired leases are taken over. */
export interface ChatLeasesTable {
  chat_id: number
  owner: string
  expires_at: Timestamp
}

export interface CaseAttemptsTable {
  id: Generated<number>
  user_id: number
  chat_id: number
  case_id: string
  attempt_no: number
  started_at: Timestamp
  ended_at: Timestamp
  outcome: "completed" | "out_of_moves" | "manual"
  turns: number
  score: number
  covered: Json<ReadonlyArray<string>>
  transcript: Json<ReadonlyArray<{ learner: string; persona: string; covered: ReadonlyArray<string> }>>
  review: Json<unknown> | null
  dialogue_model: string | null
  review_model: string | null
  rubric_version: string | null
  review_samples: Json<unknown> | null
  disputed: ColumnType<ReadonlyArray<string>, RawBuilder<string> | undefined, RawBuilder<string>>
  quotes_proposed: Generated<number>
  quotes_unverified: Generated<number>
  level: Generated<"soft" | "normal" | "hard">
  hints: Generated<number>
}

/** One row per user and day they sent the bot anything (copied from the inbox before it is purged). */
export interface UserActivityTable {
  user_id: number
  day: ColumnType<string, string, string>
}

export interface UserSettingsTable {
  user_id: number
  /** The weekly practice reminder (opt-in). */
  nudges: Generated<boolean>
  updated_at: Generated<Date>
}

export interface ReviewVerdictsTable {
  key: string
  user_id: number
  case_id: string
  feedback: Json<unknown>
  created_at: Generated<Date>
}

export interface TelegramFilesTable {
  key: string
  file_id: string
  updated_at: Generated<Date>
}

export interface AiCallsTable {
  id: Generated<number>
  at: Generated<Date>
  user_id: number | null
  case_id: string | null
  channel: string
  provider: string
  model: string
  input_tokens: number
  output_tokens: number
  latency_ms: number
  outcome: string
  error_class: string | null
}

/** Cached by Telegram's file_unique_id; `user_id` is who sent the voice first (deleted with them by /forget_me). */
export interface VoiceTranscriptsTable {
  file_unique_id: string
  user_id: number
  transcript: string
  provider: string
  model: string
  created_at: Generated<Date>
}

/**
 * The scheduler's job store. `schedule` is a croner pattern, null for a one-off job; `locked_by`/`locked_until`
 * is the lease of the instance running the job now. A cancelled or finished one-off job has `enabled` false.
 */
export interface ScheduledJobsTable {
  name: string
  kind: string
  schedule: string | null
  timezone: Generated<string>
  payload: Json<unknown>
  next_run_at: Timestamp | null
  locked_by: string | null
  locked_until: Timestamp | null
  last_started_at: Timestamp | null
  last_finished_at: Timestamp | null
  last_error: string | null
  runs: Generated<number>
  enabled: Generated<boolean>
  created_at: Generated<Date>
  updated_at: Generated<Date>
}

/** An admin's message to many users; `audience` is the rule its recipients were chosen by at creation. */
export interface BroadcastsTable {
  id: Generated<number>
  created_by: number
  html: string
  audience: string
  status: ColumnType<
    "scheduled" | "sending" | "done" | "cancelled",
    "scheduled" | "sending" | "done" | "cancelled" | undefined,
    "scheduled" | "sending" | "done" | "cancelled"
  >
  send_at: ColumnType<Date, Date | string | undefined, Date | string>
  created_at: Generated<Date>
  started_at: Timestamp | null
  finished_at: Timestamp | null
  progress_chat_id: number | null
  progress_message_id: number | null
  /** Set from the confirming admin action, so a retried command does not create the broadcast twice. */
  request_key: ColumnType<string | null, string | null | undefined, string | null>
}

/** One recipient of a broadcast; marked right after its send so a restarted delivery does not repeat it. */
export interface BroadcastRecipientsTable {
  broadcast_id: number
  user_id: number
  state: ColumnType<
    "pending" | "sent" | "failed" | "blocked",
    "pending" | "sent" | "failed" | "blocked" | undefined,
    "pending" | "sent" | "failed" | "blocked"
  >
  attempts: Generated<number>
  sent_at: Timestamp | null
  error: string | null
  /** When its send started; still set on a pending row = the send was in flight when its deliverer died. */
  sending_since: Timestamp | null
}

/**
 * Work that outlives one statement (AI calls, transcriptions, exports): written with the progress mark of the
 * command that asked for it, deleted by the statement that stores its result. `owner` renews `expires_at` while it
 * works; an expired row (or one past `deadline_at`) is issued again by whichever instance sweeps first.
 */
export interface BackgroundWorkTable {
  id: Generated<number>
  chat_id: number
  user_id: number
  command: Json<unknown>
  origin: Json<unknown>
  owner: string | null
  expires_at: Timestamp
  /** How long one issue of it may take; past `deadline_at` it is issued again even if its owner still lives. */
  deadline_seconds: number
  deadline_at: Timestamp
  issues: Generated<number>
  created_at: Generated<Date>
}

/**
 * Abuse counters by Telegram user id, kept apart from everything /forget_me erases (no personal data): the
 * sign-in lockout, the rate-limit windows, the AI calls of the day and an admin's revocation.
 */
export interface UserLimitsTable {
  user_id: number
  login_failures: Generated<number>
  /** Epoch ms on the bot's clock; null = not locked. */
  locked_until: number | null
  /** The minute and hour windows of the rate limit (Session["rate"]); null = none yet. */
  rate: Json<unknown> | null
  /** The day `ai_calls` counts, in APSCHEDULER_TIMEZONE. */
  ai_day: ColumnType<string | null, string | null | undefined, string | null>
  ai_calls: Generated<number>
  /** Set by `/setrole … none`: the shared password no longer signs this user in. */
  revoked: Generated<boolean>
  updated_at: Generated<Date>
}

export interface Database {
  authorized_users: AuthorizedUsersTable
  case_stats: CaseStatsTable
  bot_ratings: BotRatingsTable
  rating_comments: RatingCommentsTable
  rating_invites: RatingInvitesTable
  chat_sessions: ChatSessionsTable
  update_inbox: UpdateInboxTable
  chat_leases: ChatLeasesTable
  case_attempts: CaseAttemptsTable
  review_verdicts: ReviewVerdictsTable
  user_activity: UserActivityTable
  user_settings: UserSettingsTable
  telegram_files: TelegramFilesTable
  ai_calls: AiCallsTable
  voice_transcripts: VoiceTranscriptsTable
  scheduled_jobs: ScheduledJobsTable
  broadcasts: BroadcastsTable
  broadcast_recipients: BroadcastRecipientsTable
  background_work: BackgroundWorkTable
  user_limits: UserLimitsTable
}

/** A row as the pipeline reads it; its `place` only orders the chat's rows (nextPendingQuery). */
export type InboxRow = Omit<Selectable<UpdateInboxTable>, "place">
export type NewInboxRow = Insertable<UpdateInboxTable>
export type AuthorizedUserRow = Selectable<AuthorizedUsersTable>
export type BackgroundWorkRow = Selectable<BackgroundWorkTable>
