import type { Kysely } from "kysely"
import type { Database } from "../../db/schema"
import { countAiCall } from "./limits.repo"
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
