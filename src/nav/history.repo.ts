import { Schema } from "effect"
import type { Kysely } from "kysely"
import type { Database } from "../../db/schema"
import { Review } from "../core/ai-reply"
import type { AttemptSummary, StoredAttempt, StoredTranscript } from "../core/views"

type Db = Kysely<Database>

/** The history shows at most this many attempts (the newest): years of weekly practice. */
const HISTORY_LIMIT = 300
/** The trend after a review looks at the last few attempts of the case. */
const TREND_LIMIT = 8

const summaryColumns = ["id", "case_id", "attempt_no", "ended_at", "covered", "level", "hints"] as const

const asSummary = (r: {
  id: number
  case_id: string
  attempt_no: number
  ended_at: Date
  covered: ReadonlyArray<string>
  level: AttemptSummary["level"]
  hints: number
}): AttemptSummary => ({
  id: Number(r.id),
  caseId: r.case_id,
  number: r.attempt_no,
  endedAt: r.ended_at.getTime(),
  covered: r.covered,
  level: r.level,
  hints: r.hints,
})

/** The learner's finished attempts, newest first. */
export const findAttemptSummaries = async (db: Db, userId: number): Promise<AttemptSummary[]> =>
  (
    await db
      .selectFrom("case_attempts")
      .select(summaryColumns)
      .where("user_id", "=", userId)
      .orderBy("ended_at", "desc")
      .orderBy("id", "desc")
      .limit(HISTORY_LIMIT)
      .execute()
  ).map(asSummary)

const decodeReview = Schema.decodeUnknownOption(Review)

/** One attempt of this learner (another learner's id finds nothing). */
export const findStoredAttempt = async (
  db: Db,
  userId: number,
  id: number,
): Promise<StoredAttempt | null> => {
  const row = await db
    .selectFrom("case_attempts")
    .select([...summaryColumns, "review", "disputed", "transcript"])
    .where("id", "=", id)
    .where("user_id", "=", userId)
    .executeTakeFirst()
  if (!row) return null
  const review = decodeReview(row.review)
  return {
    ...asSummary(row),
    review: review._tag === "Some" ? review.value : null,
    disputed: row.disputed,
    hasTranscript: row.transcript.length > 0,
  }
}

export const findTranscript = async (
  db: Db,
  userId: number,
  id: number,
): Promise<StoredTranscript | null> => {
  const row = await db
    .selectFrom("case_attempts")
    .select(["case_id", "attempt_no", "transcript"])
    .where("id", "=", id)
    .where("user_id", "=", userId)
    .executeTakeFirst()
  if (!row) return null
  const turns = row.transcript.map((t) => ({
    learner: String(t.learner ?? ""),
    persona: String(t.persona ?? ""),
  }))
  return { caseId: row.case_id, number: row.attempt_no, turns }
}

/** Covered steps of the learner's latest attempts of a case, newest first. */
export const findCaseHistory = async (db: Db, userId: number, caseId: string) =>
  (
    await db
      .selectFrom("case_attempts")
      .select("covered")
      .where("user_id", "=", userId)
      .where("case_id", "=", caseId)
      .orderBy("ended_at", "desc")
      .orderBy("id", "desc")
      .limit(TREND_LIMIT)
      .execute()
  ).map((r) => r.covered)
