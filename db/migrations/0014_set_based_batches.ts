import { type Kysely, sql } from "kysely"
import { STORE_LOCK_NAMESPACE } from "./0007_store_inbox_row"
import * as previous from "./0013_store_inbox_rows"

/**
 * The sender's counters of the saved steps in `ok` (each step's JSON in its column `step`), one user once: the step
 * latest in the batch wins, as saving them one after the other would leave them.
 */
export const upsertCounters = (step: "v" | "r") => {
  const json = sql.raw(`ok.${step}`)
  const counters = sql`${json}->'counters'`
  return sql`insert into user_limits (user_id, login_failures, locked_until, rate)
          select distinct on ((${counters}->>'user')::bigint)
            (${counters}->>'user')::bigint, (${counters}->>'failures')::integer,
            (${counters}->>'lockedUntil')::bigint, ${counters}->'rate'
          from ok where ${json} ? 'counters' order by (${counters}->>'user')::bigint, ok.n desc
          on conflict (user_id) do update set login_failures = excluded.login_failures,
            locked_until = excluded.locked_until, rate = excluded.rate, updated_at = now()`
}

/** save_reductions' one query (below); 0015 runs the same query from PL/pgSQL, which keeps its plan. */
export const SAVE_REDUCTIONS_QUERY = sql`
      with x as (
        select e.ordinality::integer as n, e.value as v, (e.value->>'row')::bigint as row_id,
          (e.value->>'chat')::bigint as chat, (e.value->>'version')::integer as version, e.value ? 'state' as has_state
        from jsonb_array_elements(p_rows) with ordinality e
      ), first_saved as (
        insert into chat_sessions (chat_id, state, version)
          select x.chat, x.v->'state', 1 from x where x.has_state and x.version = 0 order by x.n
          on conflict (chat_id) do nothing
          returning chat_id
      ), next_saved as (
        update chat_sessions s set state = x.v->'state', version = x.version + 1, updated_at = now()
          from x where x.has_state and x.version > 0 and s.chat_id = x.chat and s.version = x.version
          returning s.chat_id
      ), ok as (
        select x.* from x
        where not x.has_state or x.chat in (select chat_id from first_saved union all select chat_id from next_saved)
      ), counters as (
        ${upsertCounters("v")}
      ), marked as (
        update update_inbox i set reduced_at = now(), commands = ok.v->'commands',
            payload = coalesce(ok.v->'redacted', i.payload)
          from ok where i.id = ok.row_id
          returning i.id
      )
      select ok.n, ok.row_id from ok join marked on marked.id = ok.row_id
`

export async function up(db: Kysely<unknown>): Promise<void> {
  // The same result as 0013, row for row, without calling store_inbox_row once per row: that call and its
  // `return query` cost more than the work inside it (bench/HISTORY.md). Every step is one statement for the whole
  // batch, each on a fresh snapshot: the chats' store locks (in the callers' lock order), the rows (one insert each,
  // in the order given, so a chat's ids follow its arrival order), the free chats' leases, then for the first stored
  // row of each newly leased chat its oldest pending row (FOR UPDATE), session, sender's role, name and counters.
  await sql`
    create or replace function store_inbox_rows(p_rows jsonb, p_owner text, p_lease_seconds double precision)
    ${previous.STORE_INBOX_ROWS_RESULT} language plpgsql as $$
    #variable_conflict use_column
    declare
      r record;
      v_id bigint;
      v_n integer[] := '{}';
      v_ids bigint[] := '{}';
      v_chats bigint[] := '{}';
      v_senders bigint[] := '{}';
      v_leased bigint[];
    begin
      for r in
        select distinct (e->>'c')::bigint % 2147483647 as k from jsonb_array_elements(p_rows) e order by 1
      loop
        perform pg_advisory_xact_lock(${sql.lit(STORE_LOCK_NAMESPACE)}, r.k::integer);
      end loop;
      for r in
        select e.ordinality::integer as n, (e.value->>'u')::bigint as u, (e.value->>'c')::bigint as c,
          e.value->>'k' as k, e.value->'p' as p, (e.value->>'s')::bigint as s
        from jsonb_array_elements(p_rows) with ordinality e order by e.ordinality
      loop
        v_id := null;
        insert into update_inbox as i (update_id, chat_id, kind, payload) values (r.u, r.c, r.k, r.p)
          on conflict (update_id) do nothing
          returning i.id into v_id;
        if v_id is not null then
          v_n := v_n || r.n; v_ids := v_ids || v_id; v_chats := v_chats || r.c; v_senders := v_senders || r.s;
        end if;
      end loop;
      -- Only a free or expired lease: one this instance holds belongs to a worker that is running already.
      with taken as (
        insert into chat_leases as l (chat_id, owner, expires_at)
          select c, p_owner, now() + make_interval(secs => p_lease_seconds)
          from (select distinct c from unnest(v_chats) c) f order by c % 2147483647, c
          on conflict (chat_id) do update set owner = excluded.owner, expires_at = excluded.expires_at
            where l.expires_at < now()
          returning l.chat_id
      ) select coalesce(array_agg(taken.chat_id), '{}') into v_leased from taken;
      return query
        with st as (
          select t.n, t.id, t.c, t.s from unnest(v_n, v_ids, v_chats, v_senders) as t(n, id, c, s)
        ), heads as (
          select f.n, q.*
          from (
            select d.n, d.c from (
              select distinct on (st.c) st.n, st.c from st where st.c = any(v_leased) order by st.c, st.n
            ) d order by d.c % 2147483647, d.c
          ) f
          cross join lateral (
            select * from update_inbox q where q.chat_id = f.c and q.processed_at is null
            order by q.id limit 1 for update
          ) q
        )
        select st.n, st.id, h.id is not null, h.id, h.update_id, h.chat_id, h.kind, h.payload, h.received_at,
          h.reduced_at, h.commands, h.commands_done, h.processed_at, h.attempts, h.last_error,
          s.state, s.version, u.role::text, u.created_at::timestamptz, u.username::text, u.first_name::text,
          g.login_failures, g.locked_until, g.rate, g.revoked
        from st
        left join heads h on h.n = st.n
        left join chat_sessions s on h.id is not null and s.chat_id = st.c
        left join authorized_users u on h.id is not null and u.user_id = st.s
        left join user_limits g on h.id is not null and g.user_id = st.s
        order by st.n;
    end $$`.execute(db)

  // The reductions of several chats (src/repositories/save-reductions.repo.ts) in one statement and one commit, each
  // row as saveReduction does it alone: the state (inserted at version 1, or updated only from the version it was
  // computed from), then — only when that passed, or when there is no state to save — the sender's counters and
  // the row's commands. Returns the rows saved; one left out lost a race. One user's counters in two steps (a group
  // chat and a private one): the later step's, as saving them one after the other would leave them, and locked in
  // user order, so two batches never wait for each other in a circle. p_rows: a JSON array of {row, chat,
  // version, commands, state?, redacted?, counters?: {user, failures, lockedUntil, rate}}.
  await sql`
    create function save_reductions(p_rows jsonb) returns table (ord integer, row_id bigint) language sql as $$${SAVE_REDUCTIONS_QUERY}    $$`.execute(
    db,
  )
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop function if exists save_reductions(jsonb)`.execute(db)
  await previous.down(db)
  await previous.up(db)
}
