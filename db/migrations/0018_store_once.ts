import { type Kysely, sql } from "kysely"
import { STORE_LOCK_NAMESPACE } from "./0007_store_inbox_row"
import { STORED_ROW } from "./0013_store_inbox_rows"
import { upsertCounters } from "./0014_set_based_batches"
import { planLookupsOnly } from "./0016_lookup_plans"
import * as previous from "./0017_reduced_at_receipt"

// The new rows' fields, read once (their order and ids: v_n, v_ids).
const NEW_ROWS = sql`
      rows as (
        select t.n, t.id, (v->>'u')::bigint as u, (v->>'c')::bigint as c, v->>'k' as k, v->'p' as p,
          (v->>'s')::bigint as s, v->'e' as e, v->'r' as r
        from unnest(v_n, v_ids) t(n, id) cross join lateral (select p_rows->(t.n - 1) as v) j
      )`

// The first new row of each chat whose lease this call took, in lock order, with the chat's oldest pending row
// (FOR UPDATE: this one, or one stored before), the chat's session and the sender, as they are now.
export const HEADS = sql`
      firsts as (
        select distinct on (rows.c) rows.n, rows.id, rows.c, rows.s from rows where rows.c = any(v_leased)
        order by rows.c, rows.n
      ), heads as (
        select f.n, f.c, f.s, f.id as own, q.*
        from (select * from firsts order by firsts.c % 2147483647, firsts.c) f
        cross join lateral (
          select * from update_inbox q where q.chat_id = f.c and q.processed_at is null
          order by q.id limit 1 for update
        ) q
      ), loaded as (
        select h.n, h.id, h.own, s.state, s.version, u.role::text as role, u.created_at::timestamptz as created_at,
          u.username::text as sender_username, u.first_name::text as sender_first_name,
          g.login_failures, g.locked_until, g.rate, g.revoked
        from heads h
        left join chat_sessions s on s.chat_id = h.c
        left join authorized_users u on u.user_id = h.s
        left join user_limits g on g.user_id = h.s
      )`

// The steps to save: a new row that is its chat's head, with the chat and sender as expected; one per sender.
// Saved as save_reductions (0014) saves them: the state first (inserted at version 1, or updated from the version
// it was computed from); only when that passed, or with no state, the sender's counters. A row stored with a step
// that was not saved is put back as it would have been stored without one.
export const SAVED_STEPS = sql`
      steps as (
        select distinct on (rows.s) rows.n, rows.c, rows.r, (rows.r->>'version')::integer as version,
          rows.r ? 'state' as has_state
        from rows join loaded x on x.n = rows.n
        where x.id = x.own and e is not null and ${previous.AS_EXPECTED}
        order by rows.s, rows.n
      ), first_saved as (
        insert into chat_sessions (chat_id, state, version)
          select st.c, st.r->'state', 1 from steps st where st.has_state and st.version = 0
          order by st.c % 2147483647, st.c
          on conflict (chat_id) do nothing
          returning chat_sessions.chat_id
      ), next_saved as (
        update chat_sessions s set state = st.r->'state', version = st.version + 1, updated_at = now()
          from (select * from steps order by steps.c % 2147483647, steps.c) st
          where st.has_state and st.version > 0 and s.chat_id = st.c and s.version = st.version
          returning s.chat_id
      ), ok as (
        select st.* from steps st
        where not st.has_state
          or st.c in (select fs.chat_id from first_saved fs union all select ns.chat_id from next_saved ns)
      ), counters as (
        ${upsertCounters("r")}
      )`

const SAVES = sql`${SAVED_STEPS}, put_back as (
        update update_inbox i set reduced_at = null, commands = null, payload = rows.p
          from rows where i.id = rows.id and rows.r is not null and rows.n not in (select ok.n from ok)
      )`

// The function's variables: the stored rows' order and ids, and the chats whose leases the first statement took.
export const VARIABLES = sql`    #variable_conflict use_column
    declare
      v_n integer[];
      v_ids bigint[];
      v_leased bigint[];
    begin`

// The first statement's first step: the store locks of the batch's chats, in lock order (its count gates the rest).
export const LOCKED = sql`      with locked as (
        select count(pg_advisory_xact_lock(${sql.lit(STORE_LOCK_NAMESPACE)}, d.k::integer)) as n
        from (select distinct (e->>'c')::bigint % 2147483647 as k from jsonb_array_elements(p_rows) e order by 1) d
      )`

// The end of the first statement: the leases of the chats whose rows were stored (only a free or expired one), and
// the rows' order, ids and the chats leased, into the function's variables.
export const LEASES_TAKEN = sql`      ), taken as (
        insert into chat_leases as l (chat_id, owner, expires_at)
          select c, p_owner, now() + make_interval(secs => p_lease_seconds)
          from (select distinct stored.chat_id as c from stored) f order by c % 2147483647, c
          on conflict (chat_id) do update set owner = excluded.owner, expires_at = excluded.expires_at
            where l.expires_at < now()
          returning l.chat_id
      ) select coalesce(array_agg(g.n order by g.n), '{}'), coalesce(array_agg(g.id order by g.n), '{}'),
          coalesce((select array_agg(taken.chat_id) from taken), '{}')
        into v_n, v_ids, v_leased
        from given g join stored s on s.id = g.id;`

export async function up(db: Kysely<unknown>): Promise<void> {
  // The same result as 0017's, from two statements instead of a dozen across three functions, and each row
  // written once instead of inserted and then updated with its step. The head of a chat with nothing older pending
  // is returned as its new row was inserted before its step was saved (unreduced), as 0017 returned it.
  await sql`
    create or replace function store_and_reduce_rows(
      p_rows jsonb, p_owner text, p_lease_seconds double precision
    ) returns table (${STORED_ROW}, reduced boolean) language plpgsql as $$
${VARIABLES}
      -- One statement, in this order: the chats' store locks (in lock order), then the rows, with ids drawn in the
      -- order given (a chat's ids follow its arrival order), then the leases. A row with a step goes in reduced,
      -- the common outcome; it is put back below if its step is not saved. Only a free or expired lease is taken:
      -- one this instance holds belongs to a worker that is running already.
${LOCKED}, given as (
        select e.ordinality::integer as n, nextval('update_inbox_id_seq'::regclass) as id, e.value as v
        from jsonb_array_elements(p_rows) with ordinality e
        where (select locked.n from locked) >= 0
      ), stored as (
        insert into update_inbox as i (id, update_id, chat_id, kind, payload, reduced_at, commands)
          select g.id, (g.v->>'u')::bigint, (g.v->>'c')::bigint, g.v->>'k',
            coalesce(g.v->'r'->'redacted', g.v->'p'), case when g.v ? 'r' then now() end, g.v->'r'->'commands'
          from given g order by g.n
          on conflict (update_id) do nothing
          returning i.id, i.chat_id
${LEASES_TAKEN}
      -- A statement of its own, so its snapshot is taken after the leases: it sees what a peer that held a lease
      -- until now committed.
      return query
        with ${NEW_ROWS}, ${HEADS}, ${SAVES}
        select rows.n, rows.id, h.n is not null, h.id, h.update_id, h.chat_id, h.kind,
          case when h.id = rows.id then rows.p else h.payload end, h.received_at,
          case when h.id <> rows.id then h.reduced_at end, case when h.id <> rows.id then h.commands end,
          h.commands_done, h.processed_at, h.attempts, h.last_error,
          x.state, x.version, x.role, x.created_at, x.sender_username, x.sender_first_name,
          x.login_failures, x.locked_until, x.rate, x.revoked, ok.n is not null
        from rows
        left join heads h on h.n = rows.n
        left join loaded x on x.n = rows.n
        left join ok on ok.n = rows.n
        order by rows.n;
    end $$`.execute(db)
  // `create or replace` dropped the function's settings (0016, 0017): set again.
  await planLookupsOnly(db, previous.STORE_AND_REDUCE)
  await previous.keepGenericPlan(db, previous.STORE_AND_REDUCE)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await previous.down(db)
  await previous.up(db)
}
