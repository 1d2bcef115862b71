import { sql } from "kysely"
import { jsonb } from "../../src/repositories/jsonb"
import type { Db } from "../repositories/database"

export const NOW = new Date("2025-06-15T12:00:00.000Z")
const ago = (hours: number) => new Date(NOW.getTime() - hours * 3_600_000)
const days = (n: number) => ago(24 * n)

const TABLES = [
  "authorized_users",
  "bot_ratings",
  "rating_comments",
  "rating_invites",
  "case_stats",
  "case_attempts",
  "ai_calls",
  "update_inbox",
]

/**
 * A small, hand-countable world. Activity (relative to NOW):
 * 7 days  → user 1 (seen 1 d, inbox 2 d) and 4 (inbox only, 3 d)                     = 2
 * 30 days → + user 2 (seen 10 d) and 5 (inbox only, 20 d, not authorised)           = 4
 * not counted: 3 (seen 40 d), 7 (inbox 50 d), group chat −100, event rows for chat 6.
 * Ratings from users 1, 2, 3; case activity from 1, 2, 8 (stats) and 9 (attempt only) = 4.
 */
export const seedExportData = async (db: Db): Promise<{ attemptIds: number[] }> => {
  for (const table of TABLES) await sql`delete from ${sql.table(table)}`.execute(db)
  await db
    .insertInto("authorized_users")
    .values([
      { user_id: 1, role: "admin", username: "boss", first_name: "Анна", last_seen_at: days(1) },
      { user_id: 2, role: "user", username: null, first_name: "Борис", last_seen_at: days(10) },
      { user_id: 3, role: "user", username: null, first_name: "Вера", last_seen_at: days(40) },
      { user_id: 4, role: "user", username: null, first_name: null, last_seen_at: null },
    ])
    .execute()
  const inbox = (chat_id: number, at: Date, kind: "update" | "event" = "update", update_id?: number) => ({
    update_id: update_id ?? null,
    chat_id,
    kind,
    payload: jsonb({}),
    received_at: at,
  })
  await db
    .insertInto("update_inbox")
    .values([
      inbox(1, days(2), "update", 101),
      inbox(4, days(3), "update", 102),
      inbox(5, days(20), "update", 103),
      inbox(-100, days(1), "update", 104),
      inbox(6, days(1), "event"),
      inbox(7, days(50), "update", 105),
    ])
    .execute()
  const rating = (user_id: number, question: string, value: number) => ({ user_id, question, rating: value })
  await db
    .insertInto("bot_ratings")
    .values([
      rating(1, "q1_useful", 8),
      rating(2, "q1_useful", 7),
      rating(3, "q1_useful", 9),
      rating(1, "q2_clear", 5),
      rating(2, "q2_clear", 6),
      rating(1, "q3_recommend", 7),
      rating(2, "q3_recommend", 8),
      rating(3, "q3_recommend", 8),
    ])
    .execute()
  await db
    .insertInto("rating_comments")
    .values([
      { user_id: 1, comment: "Хорошо", created_at: new Date("2025-06-13T12:00:00.000Z") },
      { user_id: 2, comment: "Отлично, но медленно", created_at: new Date("2025-06-15T11:00:05.000Z") },
      { user_id: 1, comment: "Ещё", created_at: new Date("2025-06-10T08:30:00.000Z") },
    ])
    .execute()
  await db.insertInto("rating_invites").values({ user_id: 1 }).execute()
  const stat = (user_id: number, case_id: string, name: string, cnt: number) => ({
    user_id,
    case_id,
    stat: name,
    cnt,
  })
  await db
    .insertInto("case_stats")
    .values([
      stat(1, "fb-peer", "started", 3),
      stat(2, "fb-peer", "started", 1),
      stat(1, "fb-peer", "completed", 2),
      stat(2, "career-dialog", "started", 1),
      stat(8, "fb-employee", "out_of_moves", 1),
    ])
    .execute()
  const attempt = (
    user_id: number,
    case_id: string,
    outcome: "completed" | "out_of_moves",
    model: string | null,
  ) => ({
    user_id,
    chat_id: user_id,
    case_id,
    attempt_no: 1,
    started_at: new Date("2025-06-14T09:00:00.000Z"),
    ended_at: new Date("2025-06-14T09:20:30.000Z"),
    outcome,
    turns: 5,
    score: 4,
    covered: jsonb(["p", "r"]),
    transcript: jsonb([]),
    review: null,
    dialogue_model: model,
    review_model: model === null ? null : "gemini-2.5-pro",
  })
  const ids = await db
    .insertInto("case_attempts")
    .values([
      attempt(1, "fb-peer", "completed", "gpt-5-mini"),
      attempt(9, "career-dialog", "out_of_moves", null),
    ])
    .returning("id")
    .execute()
  return { attemptIds: ids.map((r) => Number(r.id)) }
}
