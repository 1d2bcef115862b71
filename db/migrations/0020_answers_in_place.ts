import { type Kysely, sql } from "kysely"

// How every store function (0007–0019) picks a chat's next row to process, and how it picks it from now on.
const BY_ARRIVAL = "order by q.id limit 1 for update"
const BY_PLACE = "order by coalesce(q.place, q.id), q.id limit 1 for update"

/**
 * Redefines every function whose body contains `from` with `to` instead: from its own definition
 * (`pg_get_functiondef`, which keeps its settings: 0016's plans, 0017's kept plan), so the bodies written by the
 * migrations before stay the one source of each function. Fails unless the functions the code calls were found.
 */
const rewriteFunctions = (db: Kysely<unknown>, from: string, to: string) =>
  sql`
    do $$
    declare
      f record;
      n integer := 0;
    begin
      for f in select p.oid from pg_proc p join pg_namespace s on s.oid = p.pronamespace
        where s.nspname = current_schema() and p.prosrc like '%' || ${sql.lit(from)} || '%'
      loop
        execute replace(pg_get_functiondef(f.oid), ${sql.lit(from)}, ${sql.lit(to)});
        n := n + 1;
      end loop;
      if n < 2 then
        raise exception 'expected the store functions to pick rows "%", found %', ${sql.lit(from)}, n;
      end if;
    end $$`.execute(db)

export async function up(db: Kysely<unknown>): Promise<void> {
  // A feedback event answers the row that queued it (a command's database read: /settings, «Мои результаты»,
  // /stats…): it takes that row's place in the chat's order, before the updates that arrived while the command
  // ran, also after a restart or a takeover. Null: the row's own id (updates, and the results of background work,
  // which come when they come).
  await sql`alter table update_inbox add column place bigint`.execute(db)
  await rewriteFunctions(db, BY_ARRIVAL, BY_PLACE)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await rewriteFunctions(db, BY_PLACE, BY_ARRIVAL)
  await sql`alter table update_inbox drop column place`.execute(db)
}
