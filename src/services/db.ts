import { existsSync, mkdirSync, unlinkSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { PGlite } from "@electric-sql/pglite"
import { Context, Data, Effect, Layer } from "effect"
import { Kysely, PGliteDialect } from "kysely"
import { Migrator } from "kysely/migration"
import { migrations } from "../../db/migrations/index"
import type { Database } from "../../db/schema"
import type { Database as DatabaseConfig } from "../config/config"
import { StartupError } from "../startup"
import { DataDirBusy, type LockOptions, lockDataDir } from "./data-dir-lock"
import { type Seeded, seedFromTemplate } from "./pglite-template"
import { openPostgres } from "./postgres-client"

export class DbError extends Data.TaggedError("DbError")<{
  readonly operation: string
  readonly cause: unknown
}> {}

export interface DbShape {
  readonly kysely: Kysely<Database>
  readonly kind: DatabaseConfig["kind"]
  /** Runs one repository call; a failure becomes a typed DbError carrying the operation name. */
  readonly use: <A>(operation: string, run: (db: Kysely<Database>) => Promise<A>) => Effect.Effect<A, DbError>
  /**
   * The same, on connections whose commits do not wait for the WAL flush (PostgreSQL's synchronous_commit off):
   * only for writes whose loss in a PostgreSQL crash (not a bot crash) repeats harmless work. The WAL is one
   * sequence, so the next ordinary commit, on any connection, makes them durable too.
   */
  readonly useLazyCommit: <A>(
    operation: string,
    run: (db: Kysely<Database>) => Promise<A>,
  ) => Effect.Effect<A, DbError>
}

export class Db extends Context.Service<Db, DbShape>()("emco/Db") {
  static readonly layer = (config: DatabaseConfig) =>
    Layer.effect(
      Db,
      Effect.acquireRelease(
        Effect.promise(async () => {
          const kysely = await openDatabase(config)
          return { kysely, lazy: await openLazyCommits(config, kysely) }
        }),
        ({ kysely, lazy }) => Effect.promise(() => closeDatabases(kysely, lazy)),
      ).pipe(Effect.map(({ kysely, lazy }) => makeDb(kysely, config.kind, lazy))),
    )
}

const runWith =
  (kysely: Kysely<Database>) =>
  <A>(operation: string, run: (db: Kysely<Database>) => Promise<A>) =>
    Effect.tryPromise({ try: () => run(kysely), catch: (cause) => new DbError({ operation, cause }) })

export const makeDb = (
  kysely: Kysely<Database>,
  kind: DatabaseConfig["kind"],
  lazy: Kysely<Database> = kysely,
): DbShape => ({ kysely, kind, use: runWith(kysely), useLazyCommit: runWith(lazy) })

/**
 * PGlite fails on a folder it cannot write with an error that names neither the folder nor the cause (a volume
 * owned by another user is the usual one in containers): a file is written and removed first, so the operator
 * reads which folder and which uid.
 */
const ensureWritable = (dataDir: string) => {
  for (const dir of [dataDir, join(dataDir, "pglite")]) {
    if (dir !== dataDir && !existsSync(dir)) continue
    try {
      mkdirSync(dir, { recursive: true })
      const probe = join(dir, `.write-check-${process.pid}`)
      writeFileSync(probe, "")
      unlinkSync(probe)
    } catch (error) {
      const code = (error as { code?: string }).code ?? "error"
      const uid = process.getuid?.() ?? "?"
      throw new StartupError(
        `Папка данных недоступна для записи: ${dir} (DATA_DIR, ${code}, uid ${uid}). Дай этому пользователю ` +
          "право записи (в Docker — том, доступный пользователю bun, uid 1000) или укажи другую папку в DATA_DIR. / " +
          `The data folder is not writable: ${dir} (DATA_DIR, ${code}, uid ${uid}). Make it writable for this ` +
          "user (in Docker: a volume writable by bun, uid 1000) or point DATA_DIR elsewhere.",
      )
    }
  }
}

const busyFolder = ({ dir, holder }: DataDirBusy) => {
  const who = holder ? `pid ${holder.pid}, ${holder.host}` : "?"
  return new StartupError(
    `Папку данных ${dir} (DATA_DIR) уже занял другой процесс (${who}): встроенная база выдерживает только один. ` +
      "Останови его (или дождись, пока он остановится) либо укажи другую папку в DATA_DIR; несколько экземпляров " +
      `бота — только с PostgreSQL (DATABASE_URL). / The data folder ${dir} (DATA_DIR) is in use by another process ` +
      `(${who}); the embedded database allows one. Stop it or use another DATA_DIR; run several instances on ` +
      "PostgreSQL (DATABASE_URL).",
  )
}

/**
 * Every statement the bot runs per update finds its rows by an index (a row by id, a chat's pending rows, a user by
 * id). PostgreSQL plans a prepared statement (and a PL/pgSQL function's) once per connection and keeps the plan: made
 * while a table was small (a fresh database, the first minutes of a deployment, a never-analysed PGlite), it reads
 * the whole table, and keeps doing so as the table grows to thousands of rows. With sequential scans discouraged
 * a lookup by key stays an index lookup whatever the table's size then; joins of several rows are kept to index
 * lookups by migration 0016 and by their `= any(…)` conditions (bench/HISTORY.md, step 21). A query with no index
 * to use still scans; a bitmap scan is still allowed where most of a table is read.
 */
export const INDEXED_LOOKUPS = { enable_seqscan: "off" }

/**
 * The server's pools. JIT off: with sequential scans discouraged, a statement that has no index to use (a gauge's
 * count) is costed far past `jit_above_cost`, and LLVM compiled it on every run: ~50 ms of CPU for a count that
 * takes microseconds (bench/HISTORY.md).
 */
export const SERVER_SETTINGS = { ...INDEXED_LOOKUPS, jit: "off" }

/**
 * PGlite's cluster is made with 128 MB of shared buffers, which grows its never-shrinking wasm heap past what a
 * small container holds; the embedded mode serves one small team, and 8 MB keeps its working set in memory
 * (bench/RESULTS.md, P1 on PGlite and P5). Its one connection plans like the server's.
 */
const EMBEDDED_SETTINGS = [
  "-c",
  "shared_buffers=8MB",
  ...Object.entries(INDEXED_LOOKUPS).flatMap(([name, value]) => ["-c", `${name}=${value}`]),
]

/**
 * How an instance's connections (`DATABASE_MAX_CONNECTIONS`) are shared: one for the scheduler's leader lock
 * (leadership.ts), about a quarter of the rest for lease writes and lazy saves, the others for everything else. Each
 * pool needs its own: with the main pool holding all a server grants, every lease write fails (docs/scaling.md).
 */
export const connectionBudget = (total: number) => {
  const lazy = Math.min(8, Math.ceil((total - 1) / 4))
  return { main: total - 1 - lazy, lazy, leader: 1 }
}

/** A command-line tool's pool, beside running instances: Bun's pool opens all its connections at its first query. */
export const CLI_CONNECTIONS = 2

/**
 * Opens Kysely on PostgreSQL (Bun SQL) or on an embedded PGlite data directory; a fresh one starts as a copy of the
 * prepared template (pglite-template.ts), and `seeded` hears how it came to be.
 */
export const openDatabase = async (
  config: DatabaseConfig,
  seeded: (how: Seeded) => void = () => {},
  connections?: number,
  embeddedLock: LockOptions = { waitMs: 0 },
): Promise<Kysely<Database>> => {
  if (config.kind === "pglite") {
    ensureWritable(config.dataDir)
    const lock = await lockDataDir(config.dataDir, embeddedLock).catch((error: unknown) => {
      throw error instanceof DataDirBusy ? busyFolder(error) : error
    })
    try {
      seeded(seedFromTemplate(config.dataDir))
      const pglite = await PGlite.create(`${config.dataDir}/pglite`, {
        startParams: [...PGlite.defaultStartParams, ...EMBEDDED_SETTINGS],
      })
      const close = pglite.close.bind(pglite)
      pglite.close = () => close().finally(lock.release)
      return new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) })
    } catch (error) {
      lock.release()
      throw error
    }
  }
  return openPostgres(config, connections ?? connectionBudget(config.maxConnections).main, SERVER_SETTINGS)
}

/**
 * A small second pool for `useLazyCommit`, on PostgreSQL; on PGlite (in process, one connection) the database
 * itself, since there is no flush wait there to save.
 */
export const openLazyCommits = async (
  config: DatabaseConfig,
  main: Kysely<Database>,
): Promise<Kysely<Database>> => {
  if (config.kind === "pglite") return main
  const { lazy } = connectionBudget(config.maxConnections)
  return openPostgres(config, lazy, { ...SERVER_SETTINGS, synchronous_commit: "off" })
}

export const closeDatabases = async (main: Kysely<Database>, lazy: Kysely<Database>) => {
  if (lazy !== main) await lazy.destroy()
  await main.destroy()
}

/** Applies pending migrations; Kysely's migrator serialises concurrent runs across instances. */
export const migrateToLatest = async (db: Kysely<Database>): Promise<ReadonlyArray<string>> => {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } })
  const { error, results } = await migrator.migrateToLatest()
  if (error) throw error
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName)
}
