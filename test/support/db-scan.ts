import { type Kysely, sql } from "kysely"
import type { Database } from "../../db/schema"

/** Every table of the app's schema (information_schema: the same on PostgreSQL and PGlite). */
export const tablesOf = async (db: Kysely<Database>): Promise<string[]> => {
  const { rows } = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE'
    order by table_name`.execute(db)
  return rows.map((r) => r.name)
}

/**
 * Where `needle` is still stored: every row of every table, read whole as text (`select t::text from <table> t`,
 * jsonb included), so a table or column added later is searched too. Returns «table: n rows», empty when none.
 */
export const tablesHolding = async (db: Kysely<Database>, needle: string): Promise<string[]> => {
  const found: string[] = []
  for (const table of await tablesOf(db)) {
    const { rows } = await sql<{ n: number }>`
      select count(*) as n from ${sql.table(table)} t where strpos(t::text, ${needle}) > 0`.execute(db)
    const n = Number(rows[0]?.n ?? 0)
    if (n > 0) found.push(`${table}: ${n} rows`)
  }
  return found
}

/**
 * Time moves on, as the database sees it: every timestamptz column of every table goes `days` into the past
 * (received, processed, ended, created, next job run…), so jobs that compare with now() act as `days` later.
 */
export const travelDays = async (db: Kysely<Database>, days: number): Promise<void> => {
  const { rows } = await sql<{ table_name: string; column_name: string }>`
    select c.table_name, c.column_name from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = current_schema() and t.table_type = 'BASE TABLE'
      and c.data_type = 'timestamp with time zone'`.execute(db)
  for (const { table_name, column_name } of rows)
    await sql`update ${sql.table(table_name)} set ${sql.ref(column_name)} = ${sql.ref(column_name)} - make_interval(days => ${days})`.execute(
      db,
    )
}
