import type { Review } from "./ai-reply"
import type { Level } from "./attempt"

/** Read models: plain data loaded for display (admin stats, user lists, a learner's results). */

/** Per case: reviews decided by sampled votes, the steps they left «спорно», and the model quotes code checked. */
export interface VerdictTrust {
  readonly reviewed: number
  readonly disputedSteps: number
  readonly quotesProposed: number
  readonly quotesUnverified: number
}

export interface AdminStats {
  readonly roles: ReadonlyArray<{ readonly role: string; readonly users: number }>
  readonly active7: number
  readonly active30: number
  readonly attempts: ReadonlyArray<{
    readonly caseId: string
    readonly outcome: string
    readonly count: number
  }>
  readonly started: ReadonlyArray<{ readonly caseId: string; readonly count: number }>
  readonly scores: ReadonlyArray<{
    readonly caseId: string
    readonly avgScore: number
    readonly covered: ReadonlyArray<ReadonlyArray<string>>
    readonly trust: VerdictTrust
  }>
  readonly ratings: ReadonlyArray<{
    readonly question: string
    readonly answers: number
    readonly avg: number
  }>
  /** The newest comments with their authors' names (null once the author was forgotten); `at` in epoch ms. */
  readonly comments: ReadonlyArray<{
    readonly userId: number
    readonly name: string | null
    readonly username: string | null
    readonly comment: string
    readonly at: number
  }>
  readonly ai: ReadonlyArray<{
    readonly provider: string
    readonly calls: number
    readonly errors: number
    readonly inputTokens: number
    readonly outputTokens: number
  }>
}

/** When a user last wrote: an exact time while the inbox keeps it, otherwise the day recorded (YYYY-MM-DD). */
export interface LastActive {
  readonly at: number | null
  readonly day: string | null
}

export interface UserSummary {
  readonly userId: number
  readonly firstName: string
  readonly username: string | null
  readonly role: string
  readonly lastActive: LastActive
}

/** One user as an admin sees them: role, activity, attempts (for the per-step profile) and survey answers. */
export interface UserCard {
  readonly userId: number
  readonly firstName: string | null
  readonly username: string | null
  /** Null: no role (never signed in, or sign-in revoked). */
  readonly role: "user" | "admin" | null
  readonly revoked: boolean
  readonly since: number | null
  readonly lastActive: LastActive
  /** Newest first. */
  readonly attempts: ReadonlyArray<AttemptSummary>
  readonly answers: Readonly<Record<string, number>>
}

/** One finished attempt as the history lists it (times are epoch ms: read models travel as JSON). */
export interface AttemptSummary {
  readonly id: number
  readonly caseId: string
  /** «Попытка №N»: the same number the review showed. */
  readonly number: number
  readonly endedAt: number
  readonly covered: ReadonlyArray<string>
  readonly level: Level
  readonly hints: number
}

/** One attempt opened from the history: its stored review, and whether retention still keeps the transcript. */
export interface StoredAttempt extends AttemptSummary {
  readonly review: Review | null
  readonly disputed: ReadonlyArray<string>
  readonly hasTranscript: boolean
}

/** An attempt's dialogue, as stored (empty once retention took it). */
export interface StoredTranscript {
  readonly caseId: string
  readonly number: number
  readonly turns: ReadonlyArray<{ readonly learner: string; readonly persona: string }>
}
