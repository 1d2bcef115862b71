import { type Kysely, sql } from "kysely"
import * as previous from "./0014_set_based_batches"

export async function up(db: Kysely<unknown>): Promise<void> {
  // The same query and result as 0014's save_reductions. A `language sql` function is parsed and planned again on
  // every call: for this query that cost as much as running it (pg_stat_statements, bench/HISTORY.md). PL/pgSQL
  // prepares it once per connection and keeps the plan.
  await sql`
    create or replace function save_reductions(p_rows jsonb) returns table (ord integer, row_id bigint)
    language plpgsql as $$
    #variable_conflict use_column
    begin
      return query${previous.SAVE_REDUCTIONS_QUERY}      ;
    end $$`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await previous.down(db)
  await previous.up(db)
}
