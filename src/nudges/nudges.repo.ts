import { type Kysely, sql } from "kysely"
import type { Database } from "../../db/schema"
import { NUDGE_AUDIENCE } from "../core/audience"

type Db = Kysely<Database>

/**
 * Reminder broadcasts created but never given their delivery job (the bot died between the two steps of the weekly
 * tick): their ids, so the delivery can be booked now.
 */
export const findUnbookedNudges = async (db: Db): Promise<number[]> => {
  const rows = await db
    .selectFrom("broadcasts as b")
    .select("b.id")
    .where("b.audience", "=", NUDGE_AUDIENCE)
    .where("b.status", "=", "scheduled")
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom("scheduled_jobs as j")
            .select("j.name")
            .where("j.name", "=", sql<string>`'broadcast:' || b.id`),
        ),
      ),
    )
    .execute()
  return rows.map((r) => Number(r.id))
}
