import { createHash } from "node:crypto"
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type Kysely, sql } from "kysely"
import postgres from "postgres"
import type { Database } from "../../db/schema"
import { migrateToLatest, openDatabase } from "../../src/services/db"

export type Backend = "pglite" | "postgres"

/** PGlite always; PostgreSQL too when TEST_DATABASE_URL is set (as .ci/run does when a server answers). */
export const backends: ReadonlyArray<Backend> = process.env.TEST_DATABASE_URL
  ? ["pglite", "postgres"]
  : ["pglite"]

export interface FreshDatabase {
  readonly backend: Backend
  /** Environment variables that point the app at this database. */
  readonly env: Readonly<Record<string, string>>
  readonly drop: () => Promise<void>
}

const root = mkdtempSync(join(tmpdir(), "emco-test-"))
const created = new Set<FreshDatabase>()
let template: Promise<string> | undefined
let counter = 0

// PGlite's first boot (initdb) costs seconds and ~1 GB; a migrated template copied per test costs milliseconds.
// Every test file runs in its own global (bun test --parallel), so the template is built once per run of the suite
// and shared through the file system, keyed by the migrations and PGlite's version: a changed migration builds anew.
const templateKey = () => {
  const hash = createHash("sha256")
  const migrations = join(import.meta.dir, "../../db/migrations")
  for (const file of readdirSync(migrations).sort())
    hash.update(file).update(readFileSync(join(migrations, file)))
  hash.update(readFileSync(join(import.meta.dir, "../../node_modules/@electric-sql/pglite/package.json")))
  return hash.digest("hex").slice(0, 16)
}

const buildTemplate = async (dir: string) => {
  const building = `${dir}.${process.pid}.${Date.now()}`
  const db = await openDatabase({ kind: "pglite", dataDir: building })
  await migrateToLatest(db)
  await db.destroy()
  // Two workers may build at once: the first rename wins, the other's copy is thrown away.
  try {
    renameSync(building, dir)
  } catch {
    rmSync(building, { recursive: true, force: true })
  }
}

const pgliteTemplate = () => {
  template ??= (async () => {
    const dir = join(tmpdir(), `emco-pglite-template-${templateKey()}`)
    if (!existsSync(join(dir, "pglite", "PG_VERSION"))) await buildTemplate(dir)
    return dir
  })()
  return template
}

const freshPglite = async (): Promise<FreshDatabase> => {
  const dir = join(root, `db-${++counter}`)
  mkdirSync(dir, { recursive: true })
  cpSync(await pgliteTemplate(), dir, { recursive: true })
  return {
    backend: "pglite",
    env: { DATA_DIR: dir },
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  }
}

const freshPostgres = async (): Promise<FreshDatabase> => {
  const adminUrl = process.env.TEST_DATABASE_URL!
  const name = `emco_t_${process.pid}_${++counter}_${Math.random().toString(36).slice(2, 8)}`
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database ${name}`)
  await admin.end()
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  return {
    backend: "postgres",
    env: { DATABASE_URL: url.toString() },
    drop: async () => {
      const conn = postgres(adminUrl, { max: 1, onnotice: () => {} })
      await conn.unsafe(`drop database if exists ${name} with (force)`)
      await conn.end()
    },
  }
}

/** A new, empty database for one test (or one group of app instances that share it). */
export const freshDatabase = async (backend: Backend): Promise<FreshDatabase> => {
  const db = backend === "pglite" ? await freshPglite() : await freshPostgres()
  const tracked: FreshDatabase = {
    ...db,
    drop: async () => {
      if (!created.delete(tracked)) return
      await db.drop()
    },
  }
  created.add(tracked)
  return tracked
}

/** Drops whatever a test forgot; registered once for the whole run in preload.ts. */
export const dropAllDatabases = async () => {
  await Promise.allSettled([...created].map((db) => db.drop()))
  rmSync(root, { recursive: true, force: true })
}

/**
 * Makes every write of a step fail (triggers on the chat session and the sender's counters, which every counted
 * update writes), so a row's processing fails while updates are still stored and read: the database is up, one step
 * of the pipeline is broken. `heal` undoes it.
 */
export const breakSessionWrites = async (db: Kysely<Database>) => {
  await sql`
    create or replace function refuse_session_write() returns trigger language plpgsql as $$
    begin raise exception 'session writes are broken (test)'; end $$`.execute(db)
  for (const table of ["chat_sessions", "user_limits"])
    await sql`
      create trigger refuse_session_write before insert or update on ${sql.table(table)}
      for each row execute function refuse_session_write()`.execute(db)
  return {
    heal: async () => {
      for (const table of ["chat_sessions", "user_limits"])
        await sql`drop trigger refuse_session_write on ${sql.table(table)}`.execute(db)
    },
  }
}
