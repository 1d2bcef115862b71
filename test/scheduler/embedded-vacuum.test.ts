import { describe, expect, setDefaultTimeout, test } from "bun:test"
import { type Kysely, sql } from "kysely"
import type { Database } from "../../db/schema"
import { countBacklog, findOrphanedChats } from "../../src/repositories/inbox.repo"
import { retention } from "../../src/scheduler/app-jobs"
import { migrateToLatest, openDatabase } from "../../src/services/db"
import { configOf } from "../repositories/database"
import { freshDatabase } from "../support/database"

setDefaultTimeout(60_000)

/** Index entries read so far on update_inbox, live or not (the server's counters, flushed first). */
const entriesRead = async (db: Kysely<Database>) => {
  await sql`select pg_stat_force_next_flush()`.execute(db)
  const { rows } = await sql<{ n: string }>`
    select coalesce(sum(idx_tup_read), 0) as n from pg_stat_user_indexes where relname = 'update_inbox'`.execute(
    db,
  )
  return Number(rows[0]!.n)
}

const vacuumed = async (db: Kysely<Database>) => {
  const { rows } = await sql<{ vacuumed: boolean }>`
    select last_vacuum is not null as vacuumed from pg_stat_user_tables where relname = 'update_inbox'`.execute(
    db,
  )
  return rows[0]?.vacuumed
}

// PGlite is one standalone backend: no autovacuum ever runs on the embedded database.
describe("the nightly retention on the embedded database", () => {
  test("vacuums after purging: the sweep and the backlog gauge read a handful of index entries, not one per update ever stored", async () => {
    const fresh = await freshDatabase("pglite")
    const db = await openDatabase(configOf(fresh))
    try {
      await migrateToLatest(db)
      // 20,000 updates stored, processed a month ago: each left an entry in the index of pending updates.
      await sql`insert into update_inbox (update_id, chat_id, kind, payload)
        select g, g, 'update', '{}' from generate_series(1, 20000) g`.execute(db)
      await sql`update update_inbox set reduced_at = now(), commands = '[]', commands_done = 1,
        processed_at = now() - interval '30 days'`.execute(db)
      await sql`insert into update_inbox (update_id, chat_id, kind, payload) values (30001, 77, 'update', '{}')`.execute(
        db,
      )
      await retention(db, undefined, "Europe/Moscow", true)
      const before = await entriesRead(db)
      // The pending update of chat 77 (no lease) is found, and counted.
      expect(await findOrphanedChats(db, 500)).toEqual([77])
      expect(await countBacklog(db)).toBe(1)
      expect((await entriesRead(db)) - before).toBeLessThan(20)
      expect(await vacuumed(db)).toBe(true)
    } finally {
      await db.destroy()
      await fresh.drop()
    }
  })

  test("a step that fails does not skip the vacuum: the job still reports the failure", async () => {
    const fresh = await freshDatabase("pglite")
    const db = await openDatabase(configOf(fresh))
    try {
      await migrateToLatest(db)
      // The first step (who was active on which day) has nowhere to write.
      await sql`drop table user_activity`.execute(db)
      await expect(retention(db, undefined, "Europe/Moscow", true)).rejects.toThrow()
      expect(await vacuumed(db)).toBe(true)
    } finally {
      await db.destroy()
      await fresh.drop()
    }
  })
})
