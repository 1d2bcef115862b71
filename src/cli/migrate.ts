import { migrateToLatest } from "../services/db"
import { loadOpsConfig, openOpsDatabase } from "./ops-config"

const config = loadOpsConfig()
const db = await openOpsDatabase(config)
try {
  const applied = await migrateToLatest(db)
  console.log(applied.length > 0 ? `Применены миграции: ${applied.join(", ")}` : "Схема базы актуальна.")
} finally {
  await db.destroy()
}
