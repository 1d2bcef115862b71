import { type Kysely, sql } from "kysely"
import type { Database } from "../../db/schema"

type Db = Kysely<Database>

/** Whether the learner asked for the weekly practice reminder (off until they do). */
export const findNudges = async (db: Db, userId: number): Promise<boolean> =>
  (await db.selectFrom("user_settings").select("nudges").where("user_id", "=", userId).executeTakeFirst())
    ?.nudges ?? false

export const saveNudges = (db: Db, userId: number, nudges: boolean) =>
  db
    .insertInto("user_settings")
    .values({ user_id: userId, nudges })
    .onConflict((oc) => oc.column("user_id").doUpdateSet({ nudges, updated_at: sql<Date>`now()` }))
    .execute()
