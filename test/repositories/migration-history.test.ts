import { describe, expect, test } from "bun:test"
import { sql } from "kysely"
import { Migrator } from "kysely/migration"
import { migrations } from "../../db/migrations/index"
import { migrateToLatest, openDatabase } from "../../src/services/db"
import { backends, freshDatabase } from "../support/database"
import { configOf } from "./database"

describe.each(backends)("migration 0012 on a database with attempts (%s)", (backend) => {
  test("a stored session goes on numbering after the learner's highest attempt number per case", async () => {
    const fresh = await freshDatabase(backend)
    const db = await openDatabase(configOf(fresh))
    try {
      await migrateToLatest(db)
      const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } })
      const down = await migrator.migrateTo("0011_verdicts")
      expect(down.error).toBeUndefined()
      const attempt = (chat: number, caseId: string, no: number) =>
        sql`
        insert into case_attempts (user_id, chat_id, case_id, attempt_no, started_at, ended_at, outcome, turns, score,
          covered, transcript)
        values (${chat}, ${chat}, ${caseId}, ${no}, now(), now(), 'manual', 1, 0, '[]'::jsonb, '[]'::jsonb)`.execute(
          db,
        )
      await attempt(41, "fb_employee", 2)
      await attempt(41, "fb_employee", 5)
      await attempt(41, "career_dialog", 1)
      await sql`insert into chat_sessions (chat_id, state, version) values
        (41, '{"flow":{"_tag":"Idle"},"attempts":{"fb_employee":7}}'::jsonb, 3),
        (42, '{"flow":{"_tag":"Idle"}}'::jsonb, 1),
        (43, '{"flow":{"_tag":"Idle"},"reviewed":{"fb_peer":9}}'::jsonb, 1)`.execute(db)
      await migrateToLatest(db)
      const rows = await db
        .selectFrom("chat_sessions")
        .select(["chat_id", "state", "version"])
        .orderBy("chat_id")
        .execute()
      expect(
        rows.map((r) => [Number(r.chat_id), (r.state as { reviewed?: unknown }).reviewed, r.version]),
      ).toEqual([
        [41, { fb_employee: 5, career_dialog: 1 }, 4],
        [42, {}, 2],
        [43, { fb_peer: 9 }, 1],
      ])
    } finally {
      await db.destroy()
      await fresh.drop()
    }
  })
})
