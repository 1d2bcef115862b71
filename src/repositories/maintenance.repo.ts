import { type Kysely, sql } from "kysely"
import type { Database } from "../../db/schema"

/**
 * Vacuums and analyses every table. For the embedded database only: PGlite is one standalone backend with no
 * autovacuum, so without this the rows retention deletes never free their space, and the index of pending updates
 * keeps an entry for every update ever stored, which the sweep every two seconds walks (bench/HISTORY.md).
 */
export const vacuumEverything = async (db: Kysely<Database>) => {
  await sql`vacuum (analyze)`.execute(db)
}
