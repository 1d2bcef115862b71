import { type Kysely, sql } from "kysely"
import type { Database } from "../../db/schema"

/**
 * Vacuums every table. For the embedded database only: PGlite is one standalone backend with no autovacuum, so
 * without this the rows retention deletes never free their space, and the index of pending updates keeps an entry
 * for every update ever stored, which the sweep every two seconds walks (bench/HISTORY.md, step 24). No ANALYZE:
 * its sample of rows, payloads included, grows PGlite's never-shrinking heap by tens of MiB, and the hot
 * statements keep to their indexes without statistics (db.ts, INDEXED_LOOKUPS).
 */
export const vacuumEverything = async (db: Kysely<Database>) => {
  await sql`vacuum`.execute(db)
}
