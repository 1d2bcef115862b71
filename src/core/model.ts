import type { Review, ReviewVerdict } from "./ai-reply"
import type { Audience, BroadcastView } from "./audience"
import type { CallbackData } from "./callback-data"
import type {
  AdminStats,
  AttemptSummary,
  StoredAttempt,
  StoredTranscript,
  UserCard,
  UserSummary,
} from "./views"

/** Domain vocabulary shared by the pure reducers and the pipeline. Plain data only. */

export type Role = "user" | "admin"

/** Who sent the update, as loaded from storage for this update. */
export interface Actor {
  readonly userId: number
  readonly chatId: number
  readonly role: Role | null
  readonly firstName: string
  readonly username: string | null
  readonly since: Date | null
}

/**
 * How `/setrole` went: done; nobody known by that id or @username; a @username stored for several people (an old
 * one nobody has refreshed yet); or refused, because it would leave the bot without an admin. `unchanged`: they had
 * that role already (nobody is told anything).
 */
export type RoleChangeOutcome = "done" | "unchanged" | "not_found" | "ambiguous" | "last_admin"

export type RejectReason =
  | "too_short"
  | "too_long"
  | "too_many_lines"
  | "voice_too_short"
  | "voice_too_long"
  | "voice_too_big"

/** Results of commands that come back into the reducer (the interpreter's feedback events). */
export type Feedback =
  | { readonly _tag: "DbPinged"; readonly ok: boolean; readonly ms: number }
  | {
      readonly _tag: "PersonaReplied"
      readonly requestId: number
      readonly reply: string
      /** Steps the judge found in the learner's line with a quote that is really there. */
      readonly covered: ReadonlyArray<string>
      /** "provider:model" that answered, recorded on the attempt. */
      readonly model: string
      /** The verified quote per covered step. */
      readonly quotes?: Readonly<Record<string, string>>
      /** Steps the judge claimed with a quote that is not in the line: not counted, recorded. */
      readonly unverified?: ReadonlyArray<string>
      /** False when the judge's call failed: the line is answered, no step counted for it. */
      readonly judged?: boolean
    }
  | {
      readonly _tag: "ReviewReady"
      readonly requestId: number
      /** The texts shown (overall, strengths, growth, better phrasing): the sample closest to the verdict. */
      readonly review: Review
      readonly model: string
      /** The steps as decided by code from every sample; absent in events stored by an older version. */
      readonly verdict?: ReviewVerdict
    }
  | { readonly _tag: "AiFailed"; readonly requestId: number; readonly reason: string }
  /** The AI request `requestId` waits for a free slot (AI_MAX_CONCURRENCY): the learner is told once. */
  | { readonly _tag: "AiQueued"; readonly requestId: number }
  /** A voice line of the attempt `caseId` #`attempt`, transcribed (empty text: nothing recognisable). */
  | {
      readonly _tag: "Transcribed"
      readonly caseId: string
      readonly attempt: number
      readonly ticket?: number
      readonly text: string
    }
  | {
      readonly _tag: "TranscriptionFailed"
      readonly caseId: string
      readonly attempt: number
      readonly ticket?: number
      /** A RejectReason when the voice broke a limit once its real bytes were seen; `limit` is that limit. */
      readonly reason: string
      readonly limit?: number
    }
  | { readonly _tag: "AdminStatsLoaded"; readonly stats: AdminStats }
  | {
      readonly _tag: "UsersLoaded"
      readonly users: ReadonlyArray<UserSummary>
      /** How many match the query in all (the page shows at most USERS_PAGE of them). */
      readonly total?: number
      readonly query?: string
      readonly page?: number
      readonly messageId?: number | null
    }
  | {
      readonly _tag: "UserCardLoaded"
      readonly userId: number
      readonly messageId: number | null
      /** The /users page its «back» returns to (absent in events stored before it existed: the first). */
      readonly page?: number
      readonly card: UserCard | null
    }
  | {
      readonly _tag: "RoleChanged"
      readonly target: string
      readonly role: "user" | "admin" | "none"
      readonly outcome: RoleChangeOutcome
      /** Whom `target` named (null when it named nobody for sure). */
      readonly userId: number | null
    }
  /** The person whose role changed could not be told (they blocked the bot or never opened it). */
  | { readonly _tag: "NotifyFailed"; readonly userId: number }
  | { readonly _tag: "Forgotten" }
  | { readonly _tag: "ExportFinished"; readonly url: string | null; readonly message: string | null }
  /** `/export csv|xlsx` ran: the files are in the chat (ok), or the admin is to be told it failed. */
  | { readonly _tag: "FileExported"; readonly format: "csv" | "xlsx"; readonly ok: boolean }
  | {
      readonly _tag: "AudiencesCounted"
      readonly counts: Readonly<Record<Audience, number>>
      /** The «Считаю получателей…» message, which becomes the question once the counts are in. */
      readonly messageId: number | null
    }
  | {
      readonly _tag: "BroadcastsLoaded"
      readonly messageId: number | null
      readonly broadcasts: ReadonlyArray<BroadcastView>
    }
  | {
      readonly _tag: "BroadcastStopped"
      readonly id: number
      readonly stopped: boolean
      /** The /broadcasts list the stop was pressed on: shown again, up to date. */
      readonly listMessageId: number | null
    }
  | {
      readonly _tag: "ResultsLoaded"
      readonly messageId: number | null
      readonly page: number
      /** The learner's finished attempts, newest first. */
      readonly attempts: ReadonlyArray<AttemptSummary>
    }
  | { readonly _tag: "SettingsLoaded"; readonly nudges: boolean; readonly messageId: number | null }
  /** The learner's saved survey answers by question key, to show when the survey is opened again. */
  | {
      readonly _tag: "SurveyAnswersLoaded"
      readonly messageId: number | null
      readonly answers: Readonly<Record<string, number>>
    }
  /** The attempt asked for (null: not this learner's, or gone), to show in `messageId`. */
  | {
      readonly _tag: "AttemptLoaded"
      readonly messageId: number | null
      /** The results page its «back» returns to (absent in events stored before it existed: the first). */
      readonly page?: number
      readonly attempt: StoredAttempt | null
    }
  | { readonly _tag: "TranscriptLoaded"; readonly transcript: StoredTranscript | null }
  /** What the learner showed in the latest attempts of `caseId` (covered steps, newest first), after a review. */
  | {
      readonly _tag: "ProgressLoaded"
      readonly caseId: string
      readonly history: ReadonlyArray<ReadonlyArray<string>>
    }

/** What the user did, decoded and validated. Past-tense facts from the reducer's point of view. */
export type Input =
  | { readonly _tag: "Command"; readonly name: string; readonly args: string; readonly messageId: number }
  | {
      readonly _tag: "Text"
      readonly text: string
      readonly messageId: number
      /** The text with its formatting (bold, links…) as Telegram HTML; only when it has any. */
      readonly html?: string
    }
  | {
      readonly _tag: "PasswordAttempt"
      /** The role the password grants; null when wrong, or when it was not checked (locked out, revoked). */
      readonly role: Role | null
      readonly messageId: number
      /** An admin revoked this user's sign-in: the password was not checked. */
      readonly revoked?: boolean
    }
  | {
      readonly _tag: "Callback"
      readonly queryId: string
      readonly data: CallbackData
      readonly messageId: number | null
    }
  | {
      readonly _tag: "Voice"
      readonly kind: "voice" | "audio" | "video_note"
      readonly fileId: string
      readonly fileUniqueId: string
      readonly durationSec: number
      readonly sizeBytes: number | null
      readonly mime: string
      readonly messageId: number
    }
  | { readonly _tag: "Unsupported"; readonly kind: "media" | "group" | "other" }
  | { readonly _tag: "Rejected"; readonly reason: RejectReason; readonly limit: number }
  | { readonly _tag: "Feedback"; readonly event: Feedback }

/** What a reducer is given: the input, and what it needs to know around it (who sent it, when, the settings). */
export interface Envelope {
  readonly input: Input
  readonly actor: Actor
  readonly now: number
  readonly authEnabled: boolean
  /** VOICE_REPLIES: the persona's lines are also sent as voice notes. */
  readonly voiceReplies?: boolean
  /** APSCHEDULER_TIMEZONE: every date and time shown is in it (DEFAULT_TIME_ZONE when absent). */
  readonly timeZone?: string
  /** NUDGE_SCHEDULE: when the weekly practice reminder goes out (/settings says so). */
  readonly nudgeSchedule?: string
  /** SUPPORT_CONTACT: where learners turn when something is wrong (shown in /help, the FAQ and on errors). */
  readonly supportContact?: string
  /** DIALOGUE_RETENTION_DAYS: the FAQ tells how long dialogues are kept (absent: until deleted). */
  readonly dialogueRetentionDays?: number
}
