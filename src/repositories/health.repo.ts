import { type Kysely, sql } from "kysely"
import type { Database } from "../../db/schema"
import { jsonText } from "./prepared"

/** The cheapest round trip: is the database there and answering. */
export const pingDatabase = (db: Kysely<Database>) => sql`select 1`.execute(db)

/** Asks PostgreSQL whether it takes `payload` as jsonb at all (fails like the store did when it does not). */
export const probeJsonb = (db: Kysely<Database>, payload: unknown) =>
  sql`select ${jsonText(payload)}::text::jsonb`.execute(db)
