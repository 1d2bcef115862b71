import { type Kysely, sql } from "kysely"
import type { Database } from "../../db/schema"
import type { Review, ReviewVerdict } from "../core/ai-reply"
import type { Attempt } from "../core/attempt"
import { jsonb } from "../repositories/jsonb"

type Db = Kysely<Database>

export const CASE_STATS = ["started", "completed", "out_of_moves", "auto_finished"] as const

/** The original bot's counters: one row per user × case × stat, incremented in place. */
export const incrementCaseStat = (
  db: Db,
  userId: number,
  caseId: string,
  stat: (typeof CASE_STATS)[number],
) =>
  db
    .insertInto("case_stats")
    .values({ user_id: userId, case_id: caseId, stat, cnt: 1 })
    .onConflict((oc) =>
      oc
        .columns(["user_id", "case_id", "stat"])
        .doUpdateSet({ cnt: sql<number>`case_stats.cnt + 1`, updated_at: sql<Date>`now()` }),
    )
    .execute()

export interface FinishedAttempt {
  readonly userId: number
  readonly chatId: number
  readonly attempt: Attempt
  readonly review: Review | null
  readonly endedAt: Date
  readonly reviewModel: string | null
  readonly verdict?: ReviewVerdict | null
}

/** Quotes the judge proposed over the dialogue, and how many were not in the learner's line. */
const judgeQuotes = (turns: Attempt["turns"]) => ({
  proposed: turns.reduce((n, t) => n + Object.keys(t.quotes ?? {}).length + (t.unverified?.length ?? 0), 0),
  unverified: turns.reduce((n, t) => n + (t.unverified?.length ?? 0), 0),
})

export const insertAttempt = (db: Db, f: FinishedAttempt) =>
  db
    .insertInto("case_attempts")
    .values({
      user_id: f.userId,
      chat_id: f.chatId,
      case_id: f.attempt.caseId,
      attempt_no: f.attempt.number,
      started_at: new Date(f.attempt.startedAt),
      ended_at: f.endedAt,
      outcome: f.attempt.outcome ?? "manual",
      turns: f.attempt.turns.length,
      score: f.attempt.covered.length,
      covered: jsonb(f.attempt.covered),
      transcript: jsonb(f.attempt.turns),
      review: f.review === null ? null : jsonb(f.review),
      dialogue_model: f.attempt.dialogueModel,
      review_model: f.reviewModel,
      rubric_version: f.verdict?.rubric ?? null,
      review_samples: f.verdict ? jsonb({ votes: f.verdict.votes, models: f.verdict.models }) : null,
      disputed: jsonb(f.verdict?.disputed ?? []),
      quotes_proposed: judgeQuotes(f.attempt.turns).proposed + (f.verdict?.quotesProposed ?? 0),
      quotes_unverified: judgeQuotes(f.attempt.turns).unverified + (f.verdict?.quotesUnverified ?? 0),
      level: f.attempt.level,
      hints: f.attempt.hints,
    })
    .execute()

export const findFileId = async (db: Db, key: string) =>
  (await db.selectFrom("telegram_files").select("file_id").where("key", "=", key).executeTakeFirst())?.file_id

export const saveFileId = (db: Db, key: string, fileId: string) =>
  db
    .insertInto("telegram_files")
    .values({ key, file_id: fileId })
    .onConflict((oc) => oc.column("key").doUpdateSet({ file_id: fileId, updated_at: sql<Date>`now()` }))
    .execute()
