import { mkdirSync } from "node:fs"
import { PGlite } from "@electric-sql/pglite"
import { Context, Data, Effect, Layer, Redacted } from "effect"
import { Kysely, PGliteDialect, sql } from "kysely"
import { Migrator } from "kysely/migration"
import { PostgresJSDialect } from "kysely-postgres-js"
import postgres from "postgres"
import { migrations } from "../../db/migrations/index"
import type { Database } from "../../db/schema"
import type { Database as DatabaseConfig } from "../config/config"

export class DbError extends Data.TaggedError("DbError")<{
  readonly operation: string
  readonly cause: unknown
}> {}

export interface DbShape {
  readonly kysely: Kysely<Database>
  readonly kind: DatabaseConfig["kind"]
  /** Runs one repository call; a failure becomes a typed DbError carrying the operation name. */
  readonly use: <A>(operation: string, run: (db: Kysely<Database>) => Promise<A>) => Effect.Effect<A, DbError>
}

export class Db extends Context.Service<Db, DbShape>()("emco/Db") {
  static readonly layer = (config: DatabaseConfig) =>
    Layer.effect(
      Db,
      Effect.acquireRelease(
        Effect.promise(() => openDatabase(config)),
        (db) => Effect.promise(() => db.destroy()),
      ).pipe(Effect.map((kysely) => makeDb(kysely, config.kind))),
    )
}

export const makeDb = (kysely: Kysely<Database>, kind: DatabaseConfig["kind"]): DbShape => ({
  kysely,
  kind,
  use: (operation, run) =>
    Effect.tryPromise({ try: () => run(kysely), catch: (cause) => new DbError({ operation, cause }) }),
})

const isLocalHost = (url: string): boolean => {
  const host = new URL(url).hostname
  return host === "localhost" || host === "127.0.0.1" || host === "::1" || host === ""
}

/** Opens Kysely on PostgreSQL (Postgres.js) or on an embedded PGlite data directory. */
export const openDatabase = async (config: DatabaseConfig): Promise<Kysely<Database>> => {
  if (config.kind === "pglite") {
    mkdirSync(config.dataDir, { recursive: true })
    const pglite = await PGlite.create(`${config.dataDir}/pglite`)
    return new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) })
  }
  const url = Redacted.value(config.url)
  const client = postgres(url, {
    max: 10,
    // A server that accepts and then says nothing (a half-dead pooler) fails the connect in 10 s, not 30.
    connect_timeout: 10,
    ssl: isLocalHost(url) || config.sslMode === "disable" ? false : config.sslMode,
    onnotice: () => {},
    // Telegram ids fit in 2^53; numbers keep PGlite and PostgreSQL rows identical.
    types: {
      bigint: { to: 20, from: [20], serialize: (v: number) => String(v), parse: (v: string) => Number(v) },
    },
  })
  return new Kysely<Database>({ dialect: new PostgresJSDialect({ postgres: client }) })
}

/** Applies pending migrations; Kysely's migrator serialises concurrent runs across instances. */
export const migrateToLatest = async (db: Kysely<Database>): Promise<ReadonlyArray<string>> => {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } })
  const { error, results } = await migrator.migrateToLatest()
  if (error) throw error
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName)
}

export const pingDatabase = (db: Kysely<Database>) => sql`select 1`.execute(db)
