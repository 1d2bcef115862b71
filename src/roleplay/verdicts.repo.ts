import type { Kysely } from "kysely"
import type { Database } from "../../db/schema"
import type { Feedback } from "../core/model"
import { jsonb } from "../repositories/jsonb"

type Db = Kysely<Database>
type ReviewReady = Extract<Feedback, { _tag: "ReviewReady" }>

/** The decided review stored for `key` (a transcript under a rubric), or null. */
export const findVerdict = async (db: Db, key: string): Promise<ReviewReady | null> => {
  const row = await db
    .selectFrom("review_verdicts")
    .select("feedback")
    .where("key", "=", key)
    .executeTakeFirst()
  return row ? (row.feedback as ReviewReady) : null
}

/** Stores the decided review of a transcript; a concurrent store of the same key keeps the first. */
export const saveVerdict = (db: Db, key: string, userId: number, caseId: string, feedback: ReviewReady) =>
  db
    .insertInto("review_verdicts")
    .values({ key, user_id: userId, case_id: caseId, feedback: jsonb(feedback) })
    .onConflict((oc) => oc.column("key").doNothing())
    .execute()
