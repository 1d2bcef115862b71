/**
 * `bun run db:prepare` (run by `bun install` and the Docker build): the embedded database's template, so a fresh
 * DATA_DIR starts without PGlite's initdb (pglite-template.ts). Safe to run again: an existing template is kept.
 */
import { migrateToLatest, openDatabase } from "../services/db"
import { prepareTemplate, templateDir } from "../services/pglite-template"

const outcome = await prepareTemplate(async (dataDir) => {
  const db = await openDatabase({ kind: "pglite", dataDir })
  try {
    await migrateToLatest(db)
  } finally {
    await db.destroy()
  }
})
console.log(
  outcome === "prepared"
    ? `Шаблон встроенной базы готов / embedded database template prepared: ${templateDir()}`
    : `Шаблон встроенной базы уже есть / embedded database template present: ${templateDir()}`,
)
