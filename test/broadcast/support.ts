import { sql } from "kysely"
import type { Db } from "../repositories/database"

/** Empties what the shared clearTables leaves behind. */
export const clearBroadcasts = async (db: Db) => {
  await sql`delete from broadcast_recipients`.execute(db)
  await sql`delete from broadcasts`.execute(db)
  await sql`delete from case_attempts`.execute(db)
}

export const addUsers = async (db: Db, ids: ReadonlyArray<number>, role: "user" | "admin" = "user") => {
  for (let i = 0; i < ids.length; i += 500) {
    await db
      .insertInto("authorized_users")
      .values(ids.slice(i, i + 500).map((user_id) => ({ user_id, role, username: null, first_name: null })))
      .execute()
  }
}

export const addAttempt = (db: Db, userId: number) =>
  db
    .insertInto("case_attempts")
    .values({
      user_id: userId,
      chat_id: userId,
      case_id: "case-1",
      attempt_no: 1,
      started_at: new Date(),
      ended_at: new Date(),
      outcome: "completed",
      turns: 3,
      score: 80,
      covered: sql<string>`'[]'::jsonb`,
      transcript: sql<string>`'[]'::jsonb`,
      review: null,
      dialogue_model: null,
      review_model: null,
    })
    .execute()

export const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i)
