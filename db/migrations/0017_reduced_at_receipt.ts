import { type Kysely, type RawBuilder, sql } from "kysely"
import { STORED_ROW } from "./0013_store_inbox_rows"
import { planLookupsOnly } from "./0016_lookup_plans"

/** This migration's function, by signature (0018 redefines it). */
export const STORE_AND_REDUCE = sql`store_and_reduce_rows(jsonb, text, double precision)`

/** Every function an update runs through (0009, 0014, 0015 and this one's), by signature. */
const HOT_FUNCTIONS = [
  sql`store_inbox_row(bigint, bigint, text, jsonb, text, double precision, bigint)`,
  sql`store_inbox_rows(jsonb, text, double precision)`,
  sql`save_reductions(jsonb)`,
  STORE_AND_REDUCE,
]

/**
 * PL/pgSQL keeps a statement's plan per connection, but one with parameters (the arrays these functions pass
 * between their steps) is planned again on every call for as long as PostgreSQL deems a custom plan cheaper:
 * measured, that was a third of a one-row store. Their plans do not depend on the values (lookups by key).
 */
export const keepGenericPlan = (db: Kysely<unknown>, fn: RawBuilder<unknown>) =>
  sql`alter function ${fn} set plan_cache_mode = force_generic_plan`.execute(db)

/**
 * Whether the chat and its sender, as store_inbox_rows read them with the lease, are exactly what a step reduced
 * at receipt was computed from (`e`: src/repositories/enqueue.repo.ts). The session by its version (every write of
 * a state moves it on), the sender's role, first sign-in (to the millisecond), name and counters by value.
 */
export const AS_EXPECTED = sql`
  coalesce(x.version, 0) = (e->>'v')::integer
  and x.role is not distinct from e->>'role'
  and floor(extract(epoch from x.created_at) * 1000)::bigint is not distinct from (e->>'since')::bigint
  and x.sender_username is not distinct from e->>'un'
  and x.sender_first_name is not distinct from e->>'fn'
  and coalesce(x.login_failures, 0) = (e->>'lf')::integer
  and x.locked_until is not distinct from (e->>'lu')::bigint
  and nullif(x.rate, 'null'::jsonb) is not distinct from nullif(e->'rate', 'null'::jsonb)
  and coalesce(x.revoked, false) = (e->>'rv')::boolean`

export async function up(db: Kysely<unknown>): Promise<void> {
  // As a type, so a function can hold store_inbox_rows' whole result.
  await sql`create type stored_inbox_row as (${STORED_ROW})`.execute(db)
  // store_inbox_rows, and in the same statement and commit the step of each row reduced at receipt (`r`, as
  // save_reductions reads it, without the row's id), saved only when all of this holds: this call took the chat's
  // lease, the stored row is the chat's oldest pending one (FOR UPDATE), and the chat and sender are as expected
  // (`e`). Otherwise the row is stored as it would be without a step, and processed the ordinary way. `reduced`
  // tells which steps were saved.
  await sql`
    create function store_and_reduce_rows(p_rows jsonb, p_owner text, p_lease_seconds double precision)
    returns table (${STORED_ROW}, reduced boolean) language plpgsql as $$
    #variable_conflict use_column
    declare
      v_stored stored_inbox_row[];
      v_steps jsonb;
      v_saved bigint[];
    begin
      select coalesce(array_agg(row(s.*)::stored_inbox_row order by s.ord), '{}') into v_stored
        from store_inbox_rows(p_rows, p_owner, p_lease_seconds) s;
      -- One step per sender: two would both pass the check of the same counters, and one would overwrite the other.
      select coalesce(jsonb_agg(y.step order by y.chat_id % 2147483647, y.chat_id), '[]')
        into v_steps
        from (
          select distinct on (w.sender) x.chat_id,
            (p_rows->(x.ord - 1)->'r') || jsonb_build_object('row', x.stored_id) as step
          from unnest(v_stored) x
          cross join lateral (
            select p_rows->(x.ord - 1)->'e' as e, (p_rows->(x.ord - 1)->>'s')::bigint as sender
          ) w
          where x.leased and x.id = x.stored_id and w.e is not null and ${AS_EXPECTED}
          order by w.sender, x.ord
        ) y;
      v_saved := '{}';
      if jsonb_array_length(v_steps) > 0 then
        select array_agg(s.row_id) into v_saved from save_reductions(v_steps) s;
      end if;
      return query
        select x.*, x.stored_id = any(coalesce(v_saved, '{}')) from unnest(v_stored) x order by x.ord;
    end $$`.execute(db)
  // Planned as 0016 plans the functions it calls.
  await planLookupsOnly(db, STORE_AND_REDUCE)
  for (const fn of HOT_FUNCTIONS) await keepGenericPlan(db, fn)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const fn of HOT_FUNCTIONS.slice(0, 3))
    await sql`alter function ${fn} reset plan_cache_mode`.execute(db)
  await sql`drop function if exists ${STORE_AND_REDUCE}`.execute(db)
  await sql`drop type if exists stored_inbox_row`.execute(db)
}
