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

/** Logged when the server grants or allows fewer connections than the pools and the leader ask for. */
export const FEWER_CONNECTIONS_WARNING =
  "the database grants fewer connections than DATABASE_MAX_CONNECTIONS: set it to what the server allows one instance (docs/scaling.md)"

/** What was asked and granted: the setting, the two pools' size, the pools' connections opened, the server's limit. */
export type Shortfall = {
  readonly setting: number
  readonly pools: number
  readonly granted: number
  readonly allowed: number | null
}

/** How many connections the server lets this role open: its own limit, and the server's less the superusers' share. */
const connectionsAllowed = async (db: Db): Promise<number | null> => {
  const { rows } = await sql<{ allowed: number | null }>`
    select case when r.rolsuper then current_setting('max_connections')::int
      else least(nullif(r.rolconnlimit, -1), current_setting('max_connections')::int
        - current_setting('superuser_reserved_connections')::int) end as allowed
    from pg_roles r where r.rolname = current_user`.execute(db)
  return rows[0]?.allowed ?? null
}

/**
 * Calls the functions on every connection of the main pool (one connection on PGlite), and on the lazy-commit pool
 * the one it runs (a step saved lazily; receipts are never stored there), before the first update. On fewer
 * connections when the server cannot open them all in time (onEveryConnection): a pool is warmed as far as it goes.
 * Answers, on PostgreSQL, what falls short of `setting` (DATABASE_MAX_CONNECTIONS): connections the pools could not
 * open, or a server whose limit leaves some part without one (the leader's connection too, which opens later).
 */
export const warmConnections = async (
  main: Db,
  lazy: Db,
  setting: number,
): Promise<Shortfall | undefined> => {
  // Asked before the warm-up, which then leaves each connection with the functions compiled as its last work.
  const allowed = poolSize(main) > 0 ? await connectionsAllowed(main) : null
  const warmed = await Promise.all([
    warm(main, [STORE, SAVE]),
    ...(lazy === main ? [] : [warm(lazy, [SAVE])]),
  ])
  // PGlite: not a pool, nothing to fall short of.
  if (warmed.includes(undefined)) return undefined
  const granted = warmed.reduce<number>((sum, n) => sum + (n ?? 0), 0)
  const pools = poolSize(main) + (lazy === main ? 0 : poolSize(lazy))
  const short = granted < pools || (allowed !== null && allowed < setting)
  return short ? { setting, pools, granted, allowed } : undefined
}
