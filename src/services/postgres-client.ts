import { type ReservedSQL, SQL } from "bun"
import { Redacted } from "effect"
import { Kysely, type KyselyPlugin } from "kysely"
import { PostgresJSDialect } from "kysely-postgres-js"
import type { Database } from "../../db/schema"
import type { Database as DatabaseConfig } from "../config/config"

type PostgresConfig = Extract<DatabaseConfig, { kind: "postgres" }>

export const isLocalHost = (url: string): boolean => {
  const host = new URL(url).hostname
  return host === "localhost" || host === "127.0.0.1" || host === "::1" || host === ""
}

/**
 * int8 columns (ids, counts) arrive as BigInt and leave as numbers: Telegram ids fit in 2^53, and numbers keep
 * PGlite and PostgreSQL rows identical. Only top-level columns can be int8; JSON inside them is parsed already.
 */
const int8AsNumbers = (rows: ReadonlyArray<Record<string, unknown>>) => {
  for (const row of rows) for (const key in row) if (typeof row[key] === "bigint") row[key] = Number(row[key])
}

const int8AsNumber: KyselyPlugin = {
  transformQuery: ({ node }) => node,
  transformResult: async ({ result }) => {
    int8AsNumbers(result.rows as Record<string, unknown>[])
    return result
  },
}

/**
 * Kysely on PostgreSQL through Bun's own SQL client (docs/architecture.md, «Стек»): on this workload it spends
 * about a third of the CPU per query that Postgres.js over node:net does. `connection` holds session settings
 * sent at connect time.
 */
export const openPostgres = (
  config: PostgresConfig,
  max: number,
  connection: Record<string, string> = {},
): Kysely<Database> => {
  const url = Redacted.value(config.url)
  const client = new SQL(url, {
    max,
    connection,
    // A server that accepts and then says nothing (a half-dead pooler) fails the connect in 10 s, not 30.
    connectionTimeout: 10,
    tls: isLocalHost(url) ? "disable" : config.sslMode,
    bigint: true,
  })
  const kysely = new Kysely<Database>({
    dialect: new PostgresJSDialect({ postgres: client }),
    plugins: [int8AsNumber],
  })
  pools.set(kysely, { client, max })
  return kysely
}

const pools = new WeakMap<Kysely<Database>, { readonly client: SQL; readonly max: number }>()

/** How many connections a pool of ours may open; 0 when `db` is not one. */
export const poolSize = (db: Kysely<Database>): number => pools.get(db)?.max ?? 0

/**
 * Runs `run` on every connection a pool of ours may open, all opened now, and answers on how many; undefined when
 * `db` is not one (PGlite, a transaction). What a connection pays on its first use of a statement is then paid at
 * start, not by the update that happens to be the first to run it there at a busy moment. Connections the server
 * does not grant within `withinMs` (it is near max_connections) are done without: the pool would wait for one to
 * come back, and holding the others, nothing would ever come back.
 */
export const onEveryConnection = async (
  db: Kysely<Database>,
  run: (query: (text: string) => Promise<unknown>) => Promise<void>,
  withinMs = 3000,
): Promise<number | undefined> => {
  const pool = pools.get(db)
  if (pool === undefined) return undefined
  const granted: ReservedSQL[] = []
  let late = false
  // Reserved all at once: a connection given back before the next reserve would be handed out again.
  const signal = AbortSignal.timeout(withinMs)
  const asked = Array.from({ length: pool.max }, () =>
    pool.client.reserve({ signal }).then(
      (connection) => {
        if (late) connection.release()
        else granted.push(connection)
      },
      () => undefined,
    ),
  )
  // The signal ends the reserves still waiting; the timer answers even if one would not hear it.
  await Promise.race([Promise.all(asked), Bun.sleep(withinMs)])
  late = true
  try {
    await Promise.all(granted.map((connection) => run((text) => connection.unsafe(text))))
  } finally {
    for (const connection of granted) connection.release()
  }
  return granted.length
}

/**
 * Runs one compiled statement on the pool itself, or undefined when `db` is not a pool of ours (PGlite, a
 * transaction). Kysely's driver reserves a connection for every query and releases it after: for a single
 * statement that bookkeeping cost as much CPU as the query (a profile under load: ~12 % of the bot), and the pool
 * hands out a connection per statement anyway.
 */
export const onPool = (db: Kysely<Database>) => {
  const pool = pools.get(db)?.client
  if (pool === undefined) return undefined
  return async <Row>(text: string, params: ReadonlyArray<unknown>): Promise<Row[]> => {
    // Bun's pool prepares statements by default (named, per connection), as the dialect asks for.
    const rows = (await pool.unsafe(text, [...params])) as Record<string, unknown>[]
    int8AsNumbers(rows)
    return rows as Row[]
  }
}
