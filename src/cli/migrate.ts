import { CLI_CONNECTIONS, migrateToLatest, openDatabase } from "../services/db"
import { loadOpsConfig } from "./ops-config"

const config = loadOpsConfig()
const db = await openDatabase(config.database, undefined, CLI_CONNECTIONS)
try {
  const applied = await migrateToLatest(db)
  console.log(applied.length > 0 ? `Применены миграции: ${applied.join(", ")}` : "Схема базы актуальна.")
} finally {
  await db.destroy()
}
