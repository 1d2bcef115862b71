import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test"
import { Redacted } from "effect"
import { type Kysely, sql } from "kysely"
import type { Database } from "../../db/schema"
import { openDatabase } from "../../src/services/db"
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy"

setDefaultTimeout(120_000)

const within = <A>(p: Promise<A>, ms: number): Promise<A | "timeout"> =>
  Promise.race([p, Bun.sleep(ms).then(() => "timeout" as const)])

/** Plain queries and transactions (both pin a connection in kysely-postgres-js); each settles ok or failed. */
const load = (db: Kysely<Database>, n: number) =>
  Array.from({ length: n }, (_, i) =>
    (i % 2 === 0
      ? sql`select 1`.execute(db)
      : db.transaction().execute((tx) => sql`select pg_sleep(0.01)`.execute(tx))
    ).then(
      () => "ok" as const,
      () => "failed" as const,
    ),
  )

// Regression guard for patches/postgres@3.4.9.patch: without it a dropped connection crashed the process
// (TypeError from `nextWrite`) or left the pool with connections that never served again.
describe.skipIf(!process.env.TEST_DATABASE_URL)("Postgres.js pool through connection drops", () => {
  let proxy: TcpProxy
  let db: Kysely<Database>
  const uncaught: unknown[] = []
  const onUncaught = (e: unknown) => void uncaught.push(e)
  beforeAll(async () => {
    process.on("uncaughtException", onUncaught)
    const target = new URL(process.env.TEST_DATABASE_URL!)
    proxy = startTcpProxy(Number(target.port || 5432), target.hostname)
    target.port = String(proxy.port)
    db = await openDatabase({
      kind: "postgres",
      url: Redacted.make(target.toString()),
      sslMode: "disable",
      maxConnections: 15,
    })
  })
  afterAll(async () => {
    process.off("uncaughtException", onUncaught)
    await within(db.destroy(), 5000)
    proxy.stop()
  })

  for (const mode of ["refuse", "reset", "refuse", "reset"] as const)
    test(`${mode}: queries during the drop settle; after it every query works; nothing thrown outside`, async () => {
      expect(await Promise.all(load(db, 20))).toEqual(Array(20).fill("ok"))
      const inFlight = load(db, 20)
      proxy.cut(mode)
      const during: Array<Promise<string>> = []
      for (let round = 0; round < 10; round++) {
        during.push(...load(db, 4))
        await Bun.sleep(150)
      }
      proxy.restore()
      // Postgres.js backs off up to 20 s between attempts after many failures; 30 s covers it.
      const settled = await within(Promise.all([...inFlight, ...during]), 30_000)
      expect(settled).not.toBe("timeout")
      expect(await within(Promise.all(load(db, 20)), 30_000)).toEqual(Array(20).fill("ok"))
      expect(uncaught).toEqual([])
    })
})
