import { Redacted, Result } from "effect"
import type { Kysely } from "kysely"
import type { Database } from "../../db/schema"
import { type AppConfig, formatConfigErrors, parseConfig } from "../config/config"
import { environment } from "../config/dotenv"
import { CLI_CONNECTIONS, openDatabase } from "../services/db"
import { describeError } from "../services/log"
import { waitForPostgres } from "../services/postgres-wait"
import { StartupError } from "../startup"

/** Configuration for an ops command: only the database settings matter, so BOT_TOKEN is not required. Exits on error. */
export const loadOpsConfig = (): AppConfig => {
  const env = environment(process.env)
  const config = parseConfig({ ...env, BOT_TOKEN: env.BOT_TOKEN || "ops-command" })
  if (Result.isSuccess(config)) return config.success
  console.error(formatConfigErrors(config.failure))
  process.exit(1)
}

/**
 * The database for an ops command, or a plain message and exit code 1 (never a stack): an embedded folder a running
 * bot holds is refused at once (data-dir-lock.ts); PostgreSQL is waited for as the bot waits at start
 * (DATABASE_CONNECT_TIMEOUT_SEC: `db:migrate` may run as a deploy's first step, beside a server still starting),
 * unless `waitForServer` is off (`db:check` reports what it finds at once).
 */
export const openOpsDatabase = async (config: AppConfig, waitForServer = true): Promise<Kysely<Database>> => {
  try {
    const db = await openDatabase(config.database, undefined, CLI_CONNECTIONS)
    if (config.database.kind !== "postgres" || !waitForServer) return db
    const url = Redacted.value(config.database.url)
    await waitForPostgres(db, url, config.env.DATABASE_CONNECT_TIMEOUT_SEC, ({ address, reason }) =>
      console.error(`PostgreSQL на ${address} пока недоступен (${reason}), жду…`),
    ).catch(async (error: unknown) => {
      await db.destroy()
      throw error
    })
    return db
  } catch (error) {
    console.error(
      error instanceof StartupError
        ? error.message
        : `❌ Не удалось открыть базу / Could not open the database: ${describeError(error).errorMessage}`,
    )
    process.exit(1)
  }
}
