import type { Kysely } from "kysely"
import type { Database } from "../../db/schema"

type Db = Kysely<Database>

/** Once per user, ever: true only for the call that records the invitation. */
export const claimSurveyInvite = async (db: Db, userId: number): Promise<boolean> => {
  const row = await db
    .insertInto("rating_invites")
    .values({ user_id: userId })
    .onConflict((oc) => oc.column("user_id").doNothing())
    .returning("user_id")
    .executeTakeFirst()
  return row !== undefined
}
