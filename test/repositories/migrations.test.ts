import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { PGlite } from "@electric-sql/pglite"
import { type Kysely, sql } from "kysely"
import { migrations } from "../../db/migrations/index"
import { findUser, upsertRole } from "../../src/auth/roles.repo"
import type { Database as DatabaseConfig } from "../../src/config/config"
import { storeRow } from "../../src/repositories/enqueue.repo"
import { migrateToLatest, openDatabase } from "../../src/services/db"
import { type Backend, backends, freshDatabase } from "../support/database"
import { configOf, type Db } from "./database"

const ALL_MIGRATIONS = Object.keys(migrations).sort()
const MIGRATION_ROWS = ALL_MIGRATIONS.map((name) => ({ name }))

// A PGlite data dir made from scratch (initdb) takes seconds; bun applies this to this file only.
setDefaultTimeout(60_000)

interface Scratch {
  readonly db: Db
  readonly config: DatabaseConfig
  readonly drop: () => Promise<void>
}

/** An empty database that has never seen a migration (the PGlite template of test/support is migrated). */
const scratchDatabase = async (backend: Backend): Promise<Scratch> => {
  if (backend === "pglite") {
    const dataDir = mkdtempSync(join(tmpdir(), "emco-repo-migrations-"))
    const config: DatabaseConfig = { kind: "pglite", dataDir }
    // A bare cluster from initdb: an empty DATA_DIR would start as a copy of the (migrated) prepared template.
    await (await PGlite.create(join(dataDir, "pglite"))).close()
    const db = await openDatabase(config)
    return {
      db,
      config,
      drop: async () => {
        await db.destroy()
        rmSync(dataDir, { recursive: true, force: true })
      },
    }
  }
  const fresh = await freshDatabase(backend)
  const config = configOf(fresh)
  const db = await openDatabase(config)
  return {
    db,
    config,
    drop: async () => {
      await db.destroy()
      await fresh.drop()
    },
  }
}

const tablesOf = async (db: Kysely<unknown>) => {
  const r = await sql<{ table_name: string }>`
    select table_name from information_schema.tables
    where table_schema = 'public' order by table_name`.execute(db)
  return r.rows.map((row) => row.table_name)
}

const columnsOf = async (db: Kysely<unknown>, table: string) => {
  const r = await sql<{ column_name: string }>`
    select column_name from information_schema.columns
    where table_schema = 'public' and table_name = ${table} order by ordinal_position`.execute(db)
  return r.rows.map((row) => row.column_name)
}

const rowsOf = async (db: Kysely<unknown>, query: ReturnType<typeof sql>) =>
  (await query.execute(db)).rows as Record<string, unknown>[]

const OLD_CREATED = new Date("2023-05-06T07:08:09.000Z")

/** The Python bot's schema (aiogram + alembic) as a production database has it, with a few rows. */
const createPythonBotDatabase = async (db: Kysely<unknown>) => {
  await sql`create table authorized_users (
    user_id bigint primary key, role text, created_at timestamptz default now())`.execute(db)
  await sql`create table case_stats (
    user_id bigint, case_id text, stat text, cnt int, updated_at timestamptz default now(),
    unique (user_id, case_id, stat))`.execute(db)
  await sql`create table bot_ratings (
    user_id bigint, question text, rating int, updated_at timestamptz default now(),
    unique (user_id, question))`.execute(db)
  await sql`create table rating_comments (
    id serial primary key, user_id bigint, comment text, created_at timestamptz default now())`.execute(db)
  await sql`create table rating_invites (user_id bigint primary key, sent_at timestamptz default now())`.execute(
    db,
  )
  await sql`create table conversations (
    id serial primary key, user_id bigint not null, role text not null, content text not null,
    created_at timestamptz default now())`.execute(db)
  await sql`create table fsm_storage (key text primary key, state text, data jsonb)`.execute(db)
  await sql`create table alembic_version (version_num varchar(32) primary key)`.execute(db)

  await sql`insert into authorized_users (user_id, role, created_at) values
    (111, 'admin', ${OLD_CREATED}), (7000000001, 'user', ${OLD_CREATED})`.execute(db)
  await sql`insert into case_stats (user_id, case_id, stat, cnt) values
    (111, 'case-1', 'opened', 3), (111, 'case-1', 'solved', 1), (7000000001, 'case-2', 'opened', 5)`.execute(
    db,
  )
  await sql`insert into bot_ratings (user_id, question, rating) values (111, 'usefulness', 9), (111, 'speed', 7)`.execute(
    db,
  )
  await sql`insert into rating_comments (user_id, comment) values (111, 'Отличный бот')`.execute(db)
  await sql`insert into rating_invites (user_id) values (7000000001)`.execute(db)
  await sql`insert into conversations (user_id, role, content) values
    (111, 'user', 'Привет'), (111, 'assistant', 'Здравствуйте!')`.execute(db)
  await sql`insert into fsm_storage (key, state, data) values
    ('fsm:111:111:state', 'Quiz:question', '{"step": 2}'::jsonb)`.execute(db)
  await sql`insert into alembic_version (version_num) values ('a1b2c3d4e5f6')`.execute(db)
}

const NEW_TABLES = [
  "ai_calls",
  "background_work",
  "case_attempts",
  "chat_leases",
  "chat_sessions",
  "scheduled_jobs",
  "telegram_files",
  "update_inbox",
  "user_limits",
  "voice_transcripts",
]

describe.each(backends)("migrateToLatest on the Python bot's database (%s)", (backend) => {
  let scratch: Scratch
  let applied: ReadonlyArray<string>
  const db = () => scratch.db as unknown as Kysely<unknown>

  beforeAll(async () => {
    scratch = await scratchDatabase(backend)
    await createPythonBotDatabase(db())
    applied = await migrateToLatest(scratch.db)
  })
  afterAll(async () => {
    await scratch?.drop()
  })

  test("first run → applies every migration, in order", () => {
    expect(applied).toEqual(ALL_MIGRATIONS)
  })

  test("old authorized_users rows → kept with their created_at; new columns exist and are null", async () => {
    expect(await columnsOf(db(), "authorized_users")).toEqual([
      "user_id",
      "role",
      "created_at",
      "username",
      "first_name",
      "last_seen_at",
    ])
    const users = await scratch.db.selectFrom("authorized_users").selectAll().orderBy("user_id").execute()
    expect(users).toEqual([
      {
        user_id: 111,
        role: "admin",
        created_at: OLD_CREATED,
        username: null,
        first_name: null,
        last_seen_at: null,
      },
      {
        user_id: 7_000_000_001,
        role: "user",
        created_at: OLD_CREATED,
        username: null,
        first_name: null,
        last_seen_at: null,
      },
    ])
  })

  test("old case_stats, bot_ratings, rating_comments, rating_invites rows → all kept", async () => {
    expect(
      await rowsOf(
        db(),
        sql`select user_id, case_id, stat, cnt from case_stats order by user_id, case_id, stat`,
      ),
    ).toEqual([
      { user_id: 111, case_id: "case-1", stat: "opened", cnt: 3 },
      { user_id: 111, case_id: "case-1", stat: "solved", cnt: 1 },
      { user_id: 7_000_000_001, case_id: "case-2", stat: "opened", cnt: 5 },
    ])
    expect(
      await rowsOf(db(), sql`select user_id, question, rating from bot_ratings order by question`),
    ).toEqual([
      { user_id: 111, question: "speed", rating: 7 },
      { user_id: 111, question: "usefulness", rating: 9 },
    ])
    expect(await rowsOf(db(), sql`select user_id, comment from rating_comments`)).toEqual([
      { user_id: 111, comment: "Отличный бот" },
    ])
    expect(await rowsOf(db(), sql`select user_id from rating_invites`)).toEqual([{ user_id: 7_000_000_001 }])
  })

  test("new tables → exist and are empty", async () => {
    const tables = await tablesOf(db())
    for (const table of NEW_TABLES) expect(tables).toContain(table)
    for (const table of NEW_TABLES) {
      expect(await rowsOf(db(), sql`select count(*)::int as n from ${sql.table(table)}`)).toEqual([{ n: 0 }])
    }
  })

  test("conversations, fsm_storage, alembic_version → untouched (same columns, same rows)", async () => {
    expect(await columnsOf(db(), "conversations")).toEqual(["id", "user_id", "role", "content", "created_at"])
    expect(await columnsOf(db(), "fsm_storage")).toEqual(["key", "state", "data"])
    expect(await rowsOf(db(), sql`select user_id, role, content from conversations order by id`)).toEqual([
      { user_id: 111, role: "user", content: "Привет" },
      { user_id: 111, role: "assistant", content: "Здравствуйте!" },
    ])
    expect(await rowsOf(db(), sql`select key, state, data from fsm_storage`)).toEqual([
      { key: "fsm:111:111:state", state: "Quiz:question", data: { step: 2 } },
    ])
    expect(await rowsOf(db(), sql`select version_num from alembic_version`)).toEqual([
      { version_num: "a1b2c3d4e5f6" },
    ])
  })

  test("all tables after the upgrade → the old ones plus the new ones and Kysely's bookkeeping", async () => {
    expect(await tablesOf(db())).toEqual([
      "ai_calls",
      "alembic_version",
      "authorized_users",
      "background_work",
      "bot_ratings",
      "broadcast_recipients",
      "broadcasts",
      "case_attempts",
      "case_stats",
      "chat_leases",
      "chat_sessions",
      "conversations",
      "fsm_storage",
      "kysely_migration",
      "kysely_migration_lock",
      "rating_comments",
      "rating_invites",
      "review_verdicts",
      "scheduled_jobs",
      "telegram_files",
      "update_inbox",
      "user_activity",
      "user_limits",
      "user_settings",
      "voice_transcripts",
    ])
  })

  test("repositories on the upgraded database → old user keeps created_at, inbox accepts updates", async () => {
    await upsertRole(scratch.db, { userId: 111, role: "admin", firstName: "Админ", username: "boss" })
    const user = await findUser(scratch.db, 111)
    expect(user).toMatchObject({ user_id: 111, role: "admin", first_name: "Админ", username: "boss" })
    expect(user?.created_at).toEqual(OLD_CREATED)
    expect(user?.last_seen_at).toBeInstanceOf(Date)
    const stored = await storeRow(
      scratch.db,
      { chatId: 111, updateId: 1, kind: "update", payload: {}, userId: 111 },
      "a",
      30_000,
    )
    expect(typeof stored?.id).toBe("number")
  })

  test("second run → no new migrations ([]) and kysely_migration has one row per migration", async () => {
    expect(await migrateToLatest(scratch.db)).toEqual([])
    expect(await rowsOf(db(), sql`select name from kysely_migration order by name`)).toEqual(MIGRATION_ROWS)
  })
})

describe.each(backends)("migrateToLatest on an already migrated database (%s)", (backend) => {
  test("database copied from the migrated template / migrated once → running again returns []", async () => {
    const fresh = await freshDatabase(backend)
    const db = await openDatabase(configOf(fresh))
    try {
      await migrateToLatest(db)
      expect(await migrateToLatest(db)).toEqual([])
      expect(await migrateToLatest(db)).toEqual([])
      expect(
        await rowsOf(db as unknown as Kysely<unknown>, sql`select count(*)::int as n from kysely_migration`),
      ).toEqual([{ n: ALL_MIGRATIONS.length }])
    } finally {
      await db.destroy()
      await fresh.drop()
    }
  })
})

describe.each(backends)("concurrent migrateToLatest (%s)", (backend) => {
  // Several processes can share only a PostgreSQL database: a PGlite data dir has one owner.
  test.skipIf(backend !== "postgres")(
    "two Kysely instances migrating one empty database at once → both succeed, migration applied once",
    async () => {
      const scratch = await scratchDatabase(backend)
      const other = await openDatabase(scratch.config)
      try {
        const results = await Promise.all([migrateToLatest(scratch.db), migrateToLatest(other)])
        expect([...results[0], ...results[1]]).toEqual(ALL_MIGRATIONS)
        expect(
          await rowsOf(
            scratch.db as unknown as Kysely<unknown>,
            sql`select name from kysely_migration order by name`,
          ),
        ).toEqual(MIGRATION_ROWS)
        expect(await tablesOf(scratch.db as unknown as Kysely<unknown>)).toContain("update_inbox")
      } finally {
        await other.destroy()
        await scratch.drop()
      }
    },
  )

  test.skipIf(backend !== "postgres")(
    "four instances migrating the Python bot's database at once → all succeed, applied once, rows kept",
    async () => {
      const scratch = await scratchDatabase(backend)
      const others = await Promise.all([1, 2, 3].map(() => openDatabase(scratch.config)))
      try {
        await createPythonBotDatabase(scratch.db as unknown as Kysely<unknown>)
        const results = await Promise.all([scratch.db, ...others].map((db) => migrateToLatest(db)))
        expect(results.flat()).toEqual(ALL_MIGRATIONS)
        expect(
          await rowsOf(
            scratch.db as unknown as Kysely<unknown>,
            sql`select count(*)::int as n from kysely_migration`,
          ),
        ).toEqual([{ n: ALL_MIGRATIONS.length }])
        expect((await findUser(scratch.db, 7_000_000_001))?.created_at).toEqual(OLD_CREATED)
      } finally {
        await Promise.all(others.map((db) => db.destroy()))
        await scratch.drop()
      }
    },
  )
})
