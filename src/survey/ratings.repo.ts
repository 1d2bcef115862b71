import { type Kysely, sql } from "kysely"
import type { Database } from "../../db/schema"

type Db = Kysely<Database>

/** The latest answer per user and question wins, as in the original bot_ratings table. */
export const upsertRating = (db: Db, userId: number, question: string, rating: number) =>
  db
    .insertInto("bot_ratings")
    .values({ user_id: userId, question, rating })
    .onConflict((oc) =>
      oc.columns(["user_id", "question"]).doUpdateSet({ rating, updated_at: sql<Date>`now()` }),
    )
    .execute()

export const insertComment = (db: Db, userId: number, comment: string) =>
  db.insertInto("rating_comments").values({ user_id: userId, comment }).execute()

/** The learner's current answer per question. */
export const findRatings = async (db: Db, userId: number): Promise<Record<string, number>> =>
  Object.fromEntries(
    (
      await db
        .selectFrom("bot_ratings")
        .select(["question", "rating"])
        .where("user_id", "=", userId)
        .execute()
    ).map((r) => [r.question, r.rating]),
  )
