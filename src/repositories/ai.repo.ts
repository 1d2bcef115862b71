import { type Kysely, sql } from "kysely"
import type { Database } from "../../db/schema"

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

export const insertUsage = (db: Db, r: UsageRecord) =>
  db
    .insertInto("ai_calls")
    .values({
      user_id: r.userId,
      case_id: r.caseId,
      channel: r.channel,
      provider: r.provider,
      model: r.model,
      input_tokens: r.inputTokens,
      output_tokens: r.outputTokens,
      latency_ms: Math.round(r.latencyMs),
      outcome: r.outcome,
      error_class: r.errorClass,
    })
    .execute()

/** Successful persona turns of a user since the start of the current day in `timeZone` (the daily cap). */
export const countTurnsToday = async (db: Db, userId: number, timeZone: string): Promise<number> => {
  const row = await db
    .selectFrom("ai_calls")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("user_id", "=", userId)
    .where("channel", "=", "dialogue")
    .where("outcome", "=", "ok")
    .where("at", ">=", sql<Date>`date_trunc('day', now() at time zone ${timeZone}) at time zone ${timeZone}`)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

export const findTranscript = (db: Db, fileUniqueId: string) =>
  db.selectFrom("voice_transcripts").selectAll().where("file_unique_id", "=", fileUniqueId).executeTakeFirst()

export const saveTranscript = (
  db: Db,
  t: { fileUniqueId: string; transcript: string; provider: string; model: string },
) =>
  db
    .insertInto("voice_transcripts")
    .values({
      file_unique_id: t.fileUniqueId,
      transcript: t.transcript,
      provider: t.provider,
      model: t.model,
    })
    .onConflict((oc) => oc.column("file_unique_id").doNothing())
    .execute()
