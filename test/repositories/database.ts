import { afterAll, beforeAll, beforeEach } from "bun:test"
import { Redacted } from "effect"
import { type Kysely, sql } from "kysely"
import type { Database } from "../../db/schema"
import type { Database as DatabaseConfig } from "../../src/config/config"
import type { NewRow, ReducedAtReceipt } from "../../src/repositories/enqueue.repo"
import { migrateToLatest, openDatabase } from "../../src/services/db"
import { type Backend, type FreshDatabase, freshDatabase } from "../support/database"

export type Db = Kysely<Database>

/** How the app would open the database that `freshDatabase` made. */
export const configOf = (fresh: FreshDatabase): DatabaseConfig =>
  fresh.backend === "pglite"
    ? { kind: "pglite", dataDir: fresh.env.DATA_DIR! }
    : {
        kind: "postgres",
        url: Redacted.make(fresh.env.DATABASE_URL!),
        sslMode: "disable",
        maxConnections: 15,
      }

export const clearTables = async (db: Db) => {
  await sql`delete from update_inbox`.execute(db)
  await sql`delete from chat_sessions`.execute(db)
  await sql`delete from chat_leases`.execute(db)
  await sql`delete from authorized_users`.execute(db)
  await sql`delete from background_work`.execute(db)
  await sql`delete from user_limits`.execute(db)
}

/**
 * One freshly migrated database for the enclosing `describe` block, as the app opens it; dropped after the block.
 * Getters, since the database opens only in `beforeAll`.
 */
export const useMigratedDatabase = (backend: Backend) => {
  let fresh: FreshDatabase | undefined
  let db: Db | undefined
  beforeAll(async () => {
    fresh = await freshDatabase(backend)
    db = await openDatabase(configOf(fresh))
    await migrateToLatest(db)
  })
  afterAll(async () => {
    await db?.destroy()
    await fresh?.drop()
  })
  return { db: () => db!, fresh: () => fresh! }
}

/** `useMigratedDatabase`, emptied before every test. Returns the database's getter. */
export const useRepositoryDatabase = (backend: Backend): (() => Db) => {
  const { db } = useMigratedDatabase(backend)
  beforeEach(async () => {
    await clearTables(db())
  })
  return db
}

/**
 * Fixtures: a row stored without taking the chat's lease, as a peer does when the chat is busy. Production stores
 * through `storeRow` (enqueue.repo), tested on its own.
 */
export const insertUpdate = async (db: Db, updateId: number, chatId: number, payload: unknown) => {
  const row = await db
    .insertInto("update_inbox")
    .values({
      update_id: updateId,
      chat_id: chatId,
      kind: "update",
      payload: sql<string>`${JSON.stringify(payload)}::text::jsonb`,
    })
    .onConflict((oc) => oc.column("update_id").doNothing())
    .returning("id")
    .executeTakeFirst()
  return row?.id ?? null
}

export const insertEvent = async (db: Db, chatId: number, payload: unknown) => {
  const row = await db
    .insertInto("update_inbox")
    .values({
      update_id: null,
      chat_id: chatId,
      kind: "event",
      payload: sql<string>`${JSON.stringify(payload)}::text::jsonb`,
    })
    .returning("id")
    .executeTakeFirstOrThrow()
  return row.id
}

/** An update of `chatId` as the store receives it, with its step reduced at receipt (enqueue.repo's NewRow). */
export const updateReducedAtReceipt = (
  updateId: number,
  chatId: number,
  reduced: ReducedAtReceipt,
): NewRow => ({
  chatId,
  updateId,
  kind: "update",
  payload: { update_id: updateId },
  userId: chatId,
  reduced,
})

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
