import { type Kysely, sql } from "kysely"
import type { Database } from "../../db/schema"
import { param, prepared } from "./prepared"

type Db = Kysely<Database>

export interface UsageRecord {
  readonly userId: number | null
  readonly caseId: string | null
  readonly channel: string
  readonly provider: string
  readonly model: string
  readonly inputTokens: number
  readonly outputTokens: number
  readonly latencyMs: number
  /** "ok" or the LlmError reason. */
  readonly outcome: string
  readonly errorClass: string | null
}

const insertUsageStatement = prepared((db) =>
  db.insertInto("ai_calls").values({
    user_id: param(1),
    case_id: param(2),
    channel: param(3),
    provider: param(4),
    model: param(5),
    input_tokens: param(6, "int4"),
    output_tokens: param(7, "int4"),
    latency_ms: param(8, "int4"),
    outcome: param(9),
    error_class: param(10),
  }),
)

export const insertUsage = (db: Db, r: UsageRecord) =>
  insertUsageStatement(db, [
    r.userId,
    r.caseId,
    r.channel,
    r.provider,
    r.model,
    r.inputTokens,
    r.outputTokens,
    Math.round(r.latencyMs),
    r.outcome,
    r.errorClass,
  ])

// $1 user, $2 time zone.
const turnsTodayStatement = prepared((db) => {
  const dayStart = sql<Date>`date_trunc('day', now() at time zone ${param(2, "text")}) at time zone ${param(2, "text")}`
  return db
    .selectFrom("ai_calls")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("user_id", "=", param<number>(1))
    .where("channel", "=", sql.lit("dialogue"))
    .where("outcome", "=", sql.lit("ok"))
    .where("at", ">=", dayStart)
})

/** Successful persona turns of a user since the start of the current day in `timeZone` (the daily cap). */
export const countTurnsToday = async (db: Db, userId: number, timeZone: string): Promise<number> => {
  const [row] = await turnsTodayStatement(db, [userId, timeZone])
  return Number(row!.n)
}

export const findTranscript = (db: Db, fileUniqueId: string) =>
  db.selectFrom("voice_transcripts").selectAll().where("file_unique_id", "=", fileUniqueId).executeTakeFirst()

/**
 * Caches a transcript as its sender's: /forget_me and the retention job delete it with their words. Saved only
 * while the work that made it still exists: /forget_me deletes the work first (waiting for this statement's share
 * lock), so a transcription that finishes after it leaves nothing behind.
 */
export const saveTranscript = (
  db: Db,
  t: {
    fileUniqueId: string
    userId: number
    transcript: string
    provider: string
    model: string
    workId: number
  },
) =>
  db
    .insertInto("voice_transcripts")
    .columns(["file_unique_id", "user_id", "transcript", "provider", "model"])
    .expression((eb) =>
      eb
        .selectFrom("background_work")
        .select([
          sql.val(t.fileUniqueId).as("file_unique_id"),
          sql.val(t.userId).as("user_id"),
          sql.val(t.transcript).as("transcript"),
          sql.val(t.provider).as("provider"),
          sql.val(t.model).as("model"),
        ])
        .where("id", "=", t.workId)
        .forShare(),
    )
    .onConflict((oc) => oc.column("file_unique_id").doNothing())
    .execute()
