import type { Kysely } from "kysely"
import type { Database } from "../../db/schema"

/** A user's case_stats as `{ "case:stat": count }`: what the stats screens and exports count. */
export const caseStats = async (db: Kysely<Database>, userId: number): Promise<Record<string, number>> =>
  Object.fromEntries(
    (
      await db
        .selectFrom("case_stats")
        .select(["case_id", "stat", "cnt"])
        .where("user_id", "=", userId)
        .execute()
    ).map((r) => [`${r.case_id}:${r.stat}`, r.cnt]),
  )
