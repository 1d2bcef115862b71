import { type Kysely, type QueryCreator, sql } from "kysely"
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

/** Today in the time zone of parameter `zone`: the day a user's AI calls count towards. */
const aiDay = (zone: number) => sql<string>`(now() at time zone ${param(zone, "text")})::date`

/**
 * The AI calls of the user in parameter `user` today (null: none), as a scalar subquery for any statement. Plain SQL:
 * a query built from a creator that carries `with` steps would repeat them.
 */
export const aiCallsTodayOf = (user: number, zone: number) =>
  sql<
    number | null
  >`(select ai_calls from user_limits where user_id = ${param(user, "bigint")} and ai_day = ${aiDay(zone)})`

const aiCallsTodayStatement = prepared((db) => db.selectNoFrom(aiCallsTodayOf(1, 2).as("ai_calls")))

/** Upstream AI calls the user caused since the start of the current day in `timeZone` (the daily budget). */
export const aiCallsToday = async (db: Db, userId: number, timeZone: string): Promise<number> => {
  const [row] = await aiCallsTodayStatement(db, [userId, timeZone])
  return row?.ai_calls ?? 0
}

/** Counts one upstream AI call of the user in parameter `user` (null: nobody's) on the day of time zone `zone`. */
export const countAiCall = (db: QueryCreator<Database>, user: number, zone: number) =>
  db
    .insertInto("user_limits")
    .columns(["user_id", "ai_day", "ai_calls"])
    .expression(
      db
        .selectNoFrom([
          param<number>(user, "bigint").as("user_id"),
          aiDay(zone).as("ai_day"),
          sql<number>`1`.as("ai_calls"),
        ])
        .where(param(user, "bigint"), "is not", null),
    )
    .onConflict((oc) =>
      oc.column("user_id").doUpdateSet((eb) => ({
        ai_calls: sql<number>`case when ${eb.ref("user_limits.ai_day")} = ${eb.ref("excluded.ai_day")}
          then ${eb.ref("user_limits.ai_calls")} + 1 else 1 end`,
        ai_day: eb.ref("excluded.ai_day"),
        updated_at: sql<Date>`now()`,
      })),
    )

// $1…$10 the row; $11 the time zone of the user's AI day.
const recordAiCallStatement = prepared((db) =>
  db
    .with("counted", (q) => countAiCall(q, 1, 11))
    .insertInto("ai_calls")
    .values({
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

/**
 * One upstream AI call: its usage row, and (in the same statement) one more call in the user's daily budget, kept in
 * user_limits by user id, which /forget_me does not erase (it only anonymises the usage rows).
 */
export const recordAiCall = (db: Db, r: UsageRecord, timeZone: string) =>
  recordAiCallStatement(db, [
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
    timeZone,
  ])

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
