import { type Kysely, sql } from "kysely"
import type { Database } from "../../db/schema"
import { onEveryConnection } from "../services/postgres-client"

/**
 * The PL/pgSQL functions every update goes through, called with nothing to do. A connection compiles a function and
 * plans its statement on its first call: ~25 ms on an idle machine, 30–60 under load. Paid by an update, it held
 * every receipt behind it (one store statement in flight), and the 200's p99 at 200 updates/s was 20–25 ms
 * (bench/HISTORY.md, step 31).
 */
const FUNCTIONS = [
  sql`select count(*) from store_and_reduce_rows('[]'::jsonb, '', 1, 'UTC')`,
  sql`select count(*) from save_reductions('[]'::jsonb)`,
]

/**
 * Runs FUNCTIONS on every connection of each pool (one connection on PGlite), before the first update; on fewer
 * when the server cannot open them all in time (onEveryConnection): a pool is then warmed as far as it goes.
 */
export const warmConnections = async (pools: ReadonlyArray<Kysely<Database>>) => {
  const warm = async (db: Kysely<Database>) => {
    const texts = FUNCTIONS.map((q) => q.compile(db).sql)
    const onEach = await onEveryConnection(db, async (query) => {
      for (const text of texts) await query(text)
    })
    if (onEach === undefined) for (const q of FUNCTIONS) await q.execute(db)
  }
  await Promise.all([...new Set(pools)].map(warm))
}
