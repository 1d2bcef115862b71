import { describe, expect, setDefaultTimeout, test } from "bun:test"
import { type Kysely, sql } from "kysely"
import type { Database } from "../../db/schema"
import { countBacklog, findOrphanedChats } from "../../src/repositories/inbox.repo"
import { retention } from "../../src/scheduler/app-jobs"
import { upsertRecurringJob } from "../../src/scheduler/jobs.repo"
import { JOB_KINDS } from "../../src/scheduler/kinds"
import { migrateToLatest, openDatabase } from "../../src/services/db"
import { configOf } from "../repositories/database"
import { freshDatabase } from "../support/database"
import { testEnv } from "../support/harness"
import { useProcessFixture } from "../support/process-fixture"
import { waitFor } from "../support/wait"

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

/** 20,000 updates stored, processed a month ago: each left an entry in the index of pending updates. */
const pastUpdates = async (db: Kysely<Database>) => {
  await sql`insert into update_inbox (update_id, chat_id, kind, payload)
    select g, g, 'update', '{}' from generate_series(1, 20000) g`.execute(db)
  await sql`update update_inbox set reduced_at = now(), commands = '[]', commands_done = 1,
    processed_at = now() - interval '30 days'`.execute(db)
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
      await pastUpdates(db)
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

  describe("a real process", () => {
    const fx = useProcessFixture()

    test("a bot started with the night's clean-up overdue purges the old updates and vacuums: a sweep afterwards reads a handful of index entries", async () => {
      const tg = await fx.botApi()
      const database = await fx.database("pglite")
      const setup = await openDatabase(configOf(database))
      await migrateToLatest(setup)
      await pastUpdates(setup)
      // The bot keeps a recurring job's next run across starts: this one is an hour overdue, so it runs at start.
      await upsertRecurringJob(setup, {
        name: "retention",
        kind: JOB_KINDS.retention,
        schedule: "0 30 3 * * *",
        timezone: "Europe/Moscow",
      })
      await sql`update scheduled_jobs set next_run_at = now() - interval '1 hour' where name = 'retention'`.execute(
        setup,
      )
      await setup.destroy()

      const bot = fx.spawn({ ...testEnv(tg, database, "polling"), LOG_LEVEL: "info" })
      await waitFor(
        "the clean-up to finish",
        () => bot.lines.some((l) => l.includes('"job finished"') && l.includes('"job":"retention"')),
        60_000,
      )
      bot.proc.kill("SIGTERM")
      expect(await bot.exited).toBe(0)
      // The embedded database admits one process at a time: read only after the bot has stopped.
      const db = await openDatabase(configOf(database))
      try {
        expect(await db.selectFrom("update_inbox").select("id").execute()).toEqual([])
        const before = await entriesRead(db)
        expect(await findOrphanedChats(db, 500)).toEqual([])
        expect((await entriesRead(db)) - before).toBeLessThan(20)
      } finally {
        await db.destroy()
      }
    })
  })
})
