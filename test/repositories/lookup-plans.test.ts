import { describe, expect, setDefaultTimeout, test } from "bun:test"
import { type Kysely, sql } from "kysely"
import type { Database } from "../../db/schema"
import { type NewRow, type Stored, storeRow, storeRows } from "../../src/repositories/enqueue.repo"
import { markManyDone, markOne } from "../../src/repositories/inbox.repo"
import { chatsWithPending, releaseIdleLeases } from "../../src/repositories/leases.repo"
import { saveReductions } from "../../src/repositories/save-reductions.repo"
import { saveAlone } from "../../src/repositories/sessions.repo"
import { saveAndMarkTogether } from "../../src/repositories/step-writes.repo"
import { migrateToLatest, openDatabase, SERVER_SETTINGS } from "../../src/services/db"
import { openPostgres } from "../../src/services/postgres-client"
import { backends, freshDatabase } from "../support/database"
import { configOf } from "./database"

setDefaultTimeout(60_000)

const TTL = 30_000
const TABLES = ["update_inbox", "chat_sessions", "user_limits", "authorized_users", "chat_leases"]

const update = (id: number): NewRow => ({
  chatId: id,
  updateId: id,
  kind: "update",
  payload: { update_id: id, message: { text: "ping" } },
  userId: id,
})
const rate = { minute: { start: 1, count: 1 }, hour: { start: 1, count: 1 } }
const step = (rowId: number, chatId: number) => ({
  rowId,
  chatId,
  expectedVersion: 0,
  commands: [{ _tag: "Reply", text: "pong" }],
  state: { screen: "menu" },
  counters: { userId: chatId, auth: { failures: 0, lockedUntil: null }, rate },
})

const done = (id: number, chatId: number) => ({ id, chatId, done: 1, last: true })

/**
 * What the pipeline writes for seven new chats: six arriving together (three saved together, then their marks in
 * one statement with the other three's saves, then those marked together), one alone.
 */
const cycle = async (db: Kysely<Database>, first: number) => {
  const rows = [0, 1, 2, 3, 4, 5].map((i) => update(first + i))
  const ids = ((await storeRows(db, rows, "a", TTL)) as Stored[]).map((s) => s.id)
  const chatOf = (i: number) => rows[i]!.chatId
  await saveReductions(
    db,
    [0, 1, 2].map((i) => step(ids[i]!, chatOf(i))),
  )
  await saveAndMarkTogether(db, [
    ...[0, 1, 2].map((i) => ({ chatId: chatOf(i), mark: done(ids[i]!, chatOf(i)) })),
    ...[3, 4, 5].map((i) => ({ chatId: chatOf(i), save: step(ids[i]!, chatOf(i)) })),
  ])
  await markManyDone(
    db,
    [3, 4, 5].map((i) => done(ids[i]!, chatOf(i))),
  )
  const chats = rows.map((r) => r.chatId)
  await releaseIdleLeases(db, chats, "a")
  await chatsWithPending(db, chats)
  const alone = (await storeRow(db, update(first + 6), "a", TTL)) as Stored
  await saveAlone(db, step(alone.id, first + 6))
  await markOne(db, done(alone.id, first + 6))
  await releaseIdleLeases(db, [first + 6], "a")
}

/** Rows read so far from these tables by sequential and by index scans (the server's counters, flushed first). */
const rowsRead = async (db: Kysely<Database>) => {
  await sql`select pg_stat_force_next_flush()`.execute(db)
  const { rows } = await sql<{ seq: string; idx: string; scans: string }>`
    select coalesce(sum(seq_tup_read), 0) as seq, coalesce(sum(idx_tup_fetch), 0) as idx,
      coalesce(sum(idx_scan), 0) as scans
    from pg_stat_user_tables where relname in (${sql.join(TABLES)})`.execute(db)
  // Index entries read, live or not: a scan that walks a whole index finds few live rows but reads every entry.
  const { rows: entries } = await sql<{ n: string }>`
    select coalesce(sum(idx_tup_read), 0) as n from pg_stat_user_indexes where relname in (${sql.join(TABLES)})`.execute(
    db,
  )
  return {
    seq: Number(rows[0]!.seq),
    idx: Number(rows[0]!.idx),
    scans: Number(rows[0]!.scans),
    entries: Number(entries[0]!.n),
  }
}

// A table that has grown since the plans were made, as in the first hours of a new deployment.
const grow = async (db: Kysely<Database>) => {
  // Stored pending, then done with: until a vacuum, the index of pending rows still holds an entry for each.
  await sql`
    insert into update_inbox (update_id, chat_id, kind, payload)
      select 9000000 + g, 9000000 + g, 'update', '{}' from generate_series(1, 20000) g
  `.execute(db)
  await sql`update update_inbox set reduced_at = now(), commands = '[]', commands_done = 1, processed_at = now()
    where update_id > 9000000`.execute(db)
  await sql`insert into chat_sessions (chat_id, state, version)
    select 9000000 + g, '{}', 1 from generate_series(1, 20000) g`.execute(db)
  await sql`insert into user_limits (user_id, login_failures)
    select 9000000 + g, 0 from generate_series(1, 20000) g`.execute(db)
  await sql`insert into authorized_users (user_id, role)
    select 9000000 + g, 'user' from generate_series(1, 20000) g`.execute(db)
  // Another instance's leases, long expired.
  await sql`insert into chat_leases (chat_id, owner, expires_at)
    select 9000000 + g, 'b', now() - interval '1 hour' from generate_series(1, 20000) g`.execute(db)
}

// Autovacuum's analyse would have PostgreSQL plan again with the grown tables' statistics, hiding a kept plan.
const noAutovacuum = async (db: Kysely<Database>) => {
  for (const table of TABLES)
    await sql`alter table ${sql.table(table)} set (autovacuum_enabled = false)`.execute(db)
}

describe.each(backends)("the hot path's plans as the tables grow (%s)", (backend) => {
  test("statements planned while the tables were empty still read a handful of rows per update once they hold 20,000", async () => {
    const fresh = await freshDatabase(backend)
    const config = configOf(fresh)
    // The app's settings on one connection, so that every statement runs on it (and its kept plans are the ones
    // measured) and its counters can be flushed from it.
    const db =
      config.kind === "postgres" ? openPostgres(config, 1, SERVER_SETTINGS) : await openDatabase(config)
    try {
      await migrateToLatest(db)
      await noAutovacuum(db)
      // PostgreSQL plans a statement's first five runs for their values, then keeps a generic plan: eight runs.
      for (let i = 0; i < 8; i++) await cycle(db, 1000 + i * 10)
      await grow(db)
      const before = await rowsRead(db)
      for (let i = 0; i < 5; i++) await cycle(db, 5000 + i * 10)
      const after = await rowsRead(db)
      const updates = 5 * 7
      // The counters do count: the cycles looked rows up by index.
      expect(after.scans - before.scans).toBeGreaterThan(updates)
      // A whole-table read would be 20,000 rows at once; a lookup reads the row, its chat's and its sender's.
      expect((after.seq - before.seq) / updates).toBeLessThan(20)
      expect((after.idx - before.idx) / updates).toBeLessThan(40)
      // Index entries: the grown rows' dead entries in the index of pending rows are 20,000 more on a walk of it.
      expect((after.entries - before.entries) / updates).toBeLessThan(60)
    } finally {
      await db.destroy()
      await fresh.drop()
    }
  })
})
