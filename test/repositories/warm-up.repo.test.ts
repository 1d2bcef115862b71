import { describe, expect, setDefaultTimeout, test } from "bun:test"
import postgres from "postgres"
import { warmConnections } from "../../src/repositories/warm-up.repo"
import { onEveryConnection } from "../../src/services/postgres-client"
import { backends } from "../support/database"
import { useMigratedDatabase } from "./database"

setDefaultTimeout(30_000)

// The app's main pool (db.ts): each of its connections compiles the store's functions before the first update.
const MAIN_POOL = 10

describe.each(backends)("warming the database connections (%s)", (backend) => {
  const database = useMigratedDatabase(backend)

  test("warmConnections → the store's functions called with nothing to do: nothing stored, nothing leased", async () => {
    const db = database.db()
    await warmConnections([db, db])
    const counts = await Promise.all(
      (["update_inbox", "chat_leases", "chat_sessions", "background_work"] as const).map(async (table) =>
        Number((await db.selectFrom(table).select(db.fn.countAll().as("n")).executeTakeFirstOrThrow()).n),
      ),
    )
    expect(counts).toEqual([0, 0, 0, 0])
  })

  if (backend === "postgres") {
    test("onEveryConnection → run once on each of the pool's connections, all opened at once", async () => {
      const pids: number[] = []
      expect(
        await onEveryConnection(database.db(), async (query) => {
          const [row] = (await query("select pg_backend_pid() as pid")) as Array<{ pid: number }>
          pids.push(Number(row!.pid))
        }),
      ).toBe(true)
      expect(new Set(pids).size).toBe(MAIN_POOL)
    })

    test("warmConnections → every connection of the pool has called the functions (what each last ran)", async () => {
      await warmConnections([database.db()])
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
    test("onEveryConnection on PGlite → false (one connection in process: warmed by a plain call)", async () => {
      expect(await onEveryConnection(database.db(), async () => {})).toBe(false)
    })
  }
})
