import { Result } from "effect"
import { formatConfigErrors, parseConfig } from "../config/config"
import { environment } from "../config/dotenv"
import { migrateToLatest, openDatabase } from "../services/db"

// Only the database settings matter here, so a missing BOT_TOKEN is not an error for this command.
const env = environment(process.env)
const config = parseConfig({ ...env, BOT_TOKEN: env.BOT_TOKEN || "migrate-only" })
if (Result.isFailure(config)) {
  console.error(formatConfigErrors(config.failure))
  process.exit(1)
}
const db = await openDatabase(config.success.database)
try {
  const applied = await migrateToLatest(db)
  console.log(applied.length > 0 ? `Применены миграции: ${applied.join(", ")}` : "Схема базы актуальна.")
} finally {
  await db.destroy()
}
