import { type Kysely, type RawBuilder, sql } from "kysely"

/** The functions every update runs through (0009, 0014, 0015), by signature. */
const HOT_FUNCTIONS = [
  sql`store_inbox_row(bigint, bigint, text, jsonb, text, double precision, bigint)`,
  sql`store_inbox_rows(jsonb, text, double precision)`,
  sql`save_reductions(jsonb)`,
]

/**
 * These functions read and write a few rows by key (a row by id, a chat's pending rows, a session, a user). PL/pgSQL
 * plans each statement once per connection and keeps the plan; made while the tables were small (a fresh database,
 * the first minutes of a deployment, an embedded database that is never analysed), a join reads a whole table
 * (a hash or merge join, or a sequential scan) and keeps doing so as the table grows: measured, a batch of marks and
 * saves went from 0.2 to 2.5 ms of PostgreSQL CPU per update once the inbox held 24,000 rows (bench/HISTORY.md).
 * Within them, only index lookups joined row by row are planned, whatever the tables' sizes at planning time.
 * `create or replace function` resets a function's settings: a migration that redefines one of these sets them
 * again (test/repositories/lookup-plans.test.ts fails otherwise).
 */
const SETTINGS = [sql`enable_seqscan`, sql`enable_hashjoin`, sql`enable_mergejoin`]

/** Plans `fn` (a function's signature) as index lookups joined row by row, whatever the tables' sizes. */
export const planLookupsOnly = async (db: Kysely<unknown>, fn: RawBuilder<unknown>) => {
  for (const setting of SETTINGS) await sql`alter function ${fn} set ${setting} = off`.execute(db)
}

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const fn of HOT_FUNCTIONS) await planLookupsOnly(db, fn)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const fn of HOT_FUNCTIONS)
    for (const setting of SETTINGS) await sql`alter function ${fn} reset ${setting}`.execute(db)
}
