import { type Kysely, type RawBuilder, sql } from "kysely"
import type { Database } from "../../db/schema"
import { onEveryConnection, poolSize } from "../services/postgres-client"

type Db = Kysely<Database>

/**
 * The PL/pgSQL functions every update goes through, called with nothing to do. A connection compiles a function and
 * plans its statement on its first call: ~25 ms on an idle machine, 30–60 under load. Paid by an update, it held
 * every receipt behind it (one store statement in flight), and the 200's p99 at 200 updates/s was 20–25 ms
 * (bench/HISTORY.md, step 31).
 */
const STORE = sql`select count(*) from store_and_reduce_rows('[]'::jsonb, '', 1, 'UTC')`
const SAVE = sql`select count(*) from save_reductions('[]'::jsonb)`

/** How many connections the pool was warmed on, of how many it may open; undefined when it is not a pool. */
const warm = async (db: Db, functions: ReadonlyArray<RawBuilder<unknown>>) => {
  const texts = functions.map((q) => q.compile(db).sql)
  const onEach = await onEveryConnection(db, async (query) => {
    for (const text of texts) await query(text)
  })
  if (onEach === undefined) for (const q of functions) await q.execute(db)
  return onEach
}

/** Logged when a pool could not open all its connections: lease writes or the scheduler may then wait for good. */
export const FEWER_CONNECTIONS_WARNING =
  "the database granted fewer connections than the pools ask for: set DATABASE_MAX_CONNECTIONS to what the server gives one instance (docs/scaling.md)"

export type Shortfall = { readonly granted: number; readonly asked: number }

/**
 * Calls the functions on every connection of the lazy-commit pool (the one it runs: a step saved lazily; receipts
 * are never stored there), then of the main pool (one connection on PGlite), before the first update. On fewer
 * connections when the server cannot open them all in time (onEveryConnection): a pool is warmed as far as it goes.
 * The lazy pool first, so that a server short of connections leaves the main pool short, which only waits, and not
 * the lease writes, which would wait forever. Answers what the server did not grant, if anything.
 */
export const warmConnections = async (main: Db, lazy: Db): Promise<Shortfall | undefined> => {
  const lazyGranted = lazy === main ? 0 : await warm(lazy, [SAVE])
  const mainGranted = await warm(main, [STORE, SAVE])
  if (lazyGranted === undefined || mainGranted === undefined) return undefined
  const granted = lazyGranted + mainGranted
  const asked = poolSize(main) + (lazy === main ? 0 : poolSize(lazy))
  return granted < asked ? { granted, asked } : undefined
}
