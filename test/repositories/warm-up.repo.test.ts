import { describe, expect, setDefaultTimeout, test } from "bun:test"
import { Redacted } from "effect"
import { sql } from "kysely"
import postgres from "postgres"
import { warmConnections } from "../../src/repositories/warm-up.repo"
import { onEveryConnection, openPostgres } from "../../src/services/postgres-client"
import { backends } from "../support/database"
import { useMigratedDatabase } from "./database"

setDefaultTimeout(30_000)

// The app's main pool (db.ts): each of its connections compiles the store's functions before the first update.
const MAIN_POOL = 10

describe.each(backends)("warming the database connections (%s)", (backend) => {
  const database = useMigratedDatabase(backend)

  test("warmConnections → the store's functions called with nothing to do: nothing stored, leased or drawn", async () => {
    const db = database.db()
    const sequences = async () =>
      (
        await sql<{
          v: string
        }>`select concat_ws(',', i.last_value, i.is_called, w.last_value, w.is_called) as v
          from update_inbox_id_seq i, background_work_id_seq w`.execute(db)
      ).rows[0]!.v
    const drawn = await sequences()
    await warmConnections(db, db, 15)
    const counts = await Promise.all(
      (["update_inbox", "chat_leases", "chat_sessions", "background_work"] as const).map(async (table) =>
        Number((await db.selectFrom(table).select(db.fn.countAll().as("n")).executeTakeFirstOrThrow()).n),
      ),
    )
    expect(counts).toEqual([0, 0, 0, 0])
    expect(await sequences()).toBe(drawn)
  })

  if (backend === "postgres") {
    test("onEveryConnection → run once on each of the pool's connections, all opened at once", async () => {
      const pids: number[] = []
      expect(
        await onEveryConnection(database.db(), async (query) => {
          const [row] = (await query("select pg_backend_pid() as pid")) as Array<{ pid: number }>
          pids.push(Number(row!.pid))
        }),
      ).toBe(MAIN_POOL)
      expect(new Set(pids).size).toBe(MAIN_POOL)
    })

    test("a server that grants only 3 connections → warmed on those 3 within the limit, the pool still answers", async () => {
      // Superusers ignore connection limits: a plain role, limited, on the same database.
      const role = `emco_limited_${process.pid}_${Math.floor(Math.random() * 1e6)}`
      const admin = postgres(database.fresh().env.DATABASE_URL!, { max: 1, onnotice: () => {} })
      await admin.unsafe(`create role ${role} login connection limit 3`)
      const url = new URL(database.fresh().env.DATABASE_URL!)
      url.username = role
      const limited = openPostgres(
        { kind: "postgres", url: Redacted.make(url.toString()), sslMode: "disable", maxConnections: 15 },
        MAIN_POOL,
      )
      try {
        const started = performance.now()
        expect(await onEveryConnection(limited, async (query) => void (await query("select 1")), 1000)).toBe(
          3,
        )
        expect(performance.now() - started).toBeLessThan(5000)
        expect((await sql<{ one: number }>`select 1 as one`.execute(limited)).rows[0]?.one).toBe(1)
      } finally {
        await limited.destroy()
        await admin.unsafe(`drop role if exists ${role}`)
        await admin.end()
      }
    })

    test("warmConnections → every connection of the pool has called the functions (what each last ran)", async () => {
      await warmConnections(database.db(), database.db(), 15)
      // Read from outside the pool, so that no connection of it runs anything else meanwhile.
      const admin = postgres(database.fresh().env.DATABASE_URL!, { max: 1, onnotice: () => {} })
      try {
        const rows = await admin`select query from pg_stat_activity
          where datname = current_database() and pid <> pg_backend_pid()`
        const last = rows.map((r) => String(r.query))
        expect(last.filter((q) => q.includes("save_reductions('[]'"))).toHaveLength(MAIN_POOL)
      } finally {
        await admin.end()
      }
    })
  } else {
    test("onEveryConnection on PGlite → not a pool (one connection in process: warmed by a plain call)", async () => {
      expect(await onEveryConnection(database.db(), async () => {})).toBeUndefined()
    })
  }
})
