import { type Kysely, type RawBuilder, sql } from "kysely"
import type { Database } from "../../db/schema"
import { onEveryConnection } from "../services/postgres-client"

type Db = Kysely<Database>

/**
 * The PL/pgSQL functions every update goes through, called with nothing to do. A connection compiles a function and
 * plans its statement on its first call: ~25 ms on an idle machine, 30–60 under load. Paid by an update, it held
 * every receipt behind it (one store statement in flight), and the 200's p99 at 200 updates/s was 20–25 ms
 * (bench/HISTORY.md, step 31).
 */
const STORE = sql`select count(*) from store_and_reduce_rows('[]'::jsonb, '', 1, 'UTC')`
const SAVE = sql`select count(*) from save_reductions('[]'::jsonb)`

const warm = async (db: Db, functions: ReadonlyArray<RawBuilder<unknown>>) => {
  const texts = functions.map((q) => q.compile(db).sql)
  const onEach = await onEveryConnection(db, async (query) => {
    for (const text of texts) await query(text)
  })
  if (onEach === undefined) for (const q of functions) await q.execute(db)
}

/**
 * Calls the functions on every connection of the main pool (one connection on PGlite), and on the lazy-commit pool
 * the one it runs (a step saved lazily; receipts are never stored there), before the first update. On fewer
 * connections when the server cannot open them all in time (onEveryConnection): a pool is warmed as far as it goes.
 */
export const warmConnections = async (main: Db, lazy: Db) => {
  await Promise.all([warm(main, [STORE, SAVE]), lazy === main ? undefined : warm(lazy, [SAVE])])
}
