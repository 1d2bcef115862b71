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
  readonly comments: ReadonlyArray<{ readonly userId: number; readonly comment: string; readonly at: string }>
  readonly ai: ReadonlyArray<{
    readonly provider: string
    readonly calls: number
    readonly errors: number
    readonly inputTokens: number
    readonly outputTokens: number
  }>
}

export interface UserSummary {
  readonly userId: number
  readonly firstName: string
  readonly username: string | null
  readonly role: string
  readonly lastSeen: string | null
}

export interface CaseResult {
  readonly caseId: string
  readonly attempts: number
  readonly best: number
  readonly latest: number
  /** Component keys missed in at least one attempt, most often missed first (at most three). */
  readonly missed: ReadonlyArray<{ readonly key: string; readonly times: number }>
}
