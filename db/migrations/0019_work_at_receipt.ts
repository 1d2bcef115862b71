import { type Kysely, sql } from "kysely"
import { STORED_ROW } from "./0013_store_inbox_rows"
import { planLookupsOnly } from "./0016_lookup_plans"
import { keepGenericPlan } from "./0017_reduced_at_receipt"
import * as previous from "./0018_store_once"

/**
 * This migration's function: 0018's with the AI day's time zone (`p_day_zone`) as a fourth argument. An overload,
 * not a replacement: it returns more columns, and an instance still running the code before (a rolling deploy)
 * keeps calling the three-argument one, whose result its prepared statement was planned for.
 */
export const STORE_AND_START = sql`store_and_reduce_rows(jsonb, text, double precision, text)`

// As 0018's, with the work a step starts (`w`, src/repositories/enqueue.repo.ts).
const NEW_ROWS = sql`
      rows as (
        select t.n, t.id, (v->>'u')::bigint as u, (v->>'c')::bigint as c, v->>'k' as k, v->'p' as p,
          (v->>'s')::bigint as s, v->'e' as e, v->'r' as r, v->'w' as w
        from unnest(v_n, v_ids) t(n, id) cross join lateral (select p_rows->(t.n - 1) as v) j
      )`

// A saved step that starts background work first (an AI turn) gets the work's row, as saveReductionWithWork
// writes it (src/repositories/sessions.repo.ts): durable in the same commit, so the work starts one round trip
// after the update arrived. Its row was stored with the progress up to that command (commands_done); it is
// processed when that command is its last. A step not saved writes no work, and its row is put back as plain.
const WORK = sql`
      worked as (
        insert into background_work as b
          (chat_id, user_id, command, origin, owner, expires_at, deadline_seconds, deadline_at)
          select rows.c, (rows.w->>'u')::bigint, rows.w->'cmd', rows.w->'o', rows.w->>'ow',
            now() + make_interval(secs => (rows.w->>'ls')::float8), (rows.w->>'ds')::float8,
            now() + make_interval(secs => (rows.w->>'ds')::float8)
          from ok join rows on rows.n = ok.n where rows.w is not null
          returning b.id, b.chat_id
      ), finished as (
        update update_inbox i set processed_at = now()
          from ok join rows on rows.n = ok.n where i.id = rows.id and (rows.w->>'l')::boolean
      ), put_back as (
        update update_inbox i set reduced_at = null, commands = null, commands_done = 0, payload = rows.p
          from rows where i.id = rows.id and rows.r is not null and rows.n not in (select ok.n from ok)
      )`

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create function store_and_reduce_rows(
      p_rows jsonb, p_owner text, p_lease_seconds double precision, p_day_zone text
    ) returns table (${STORED_ROW}, reduced boolean, work_id bigint, ai_calls_today integer)
    language plpgsql as $$
${previous.VARIABLES}
      -- As 0018: the chats' store locks, then the rows (a row with a step reduced, and with its progress when the
      -- step starts work), then the leases. A work's result (x: the work's id) is stored only by the statement
      -- that deletes the work's row, after the locks (settleWork's order was the other way round): exactly once.
${previous.LOCKED}, settled as (
        delete from background_work b
          where b.id in (select (e->>'x')::bigint from jsonb_array_elements(p_rows) e where e ? 'x')
            and (select locked.n from locked) >= 0
          returning b.id
      ), given as (
        select e.ordinality::integer as n, nextval('update_inbox_id_seq'::regclass) as id, e.value as v
        from jsonb_array_elements(p_rows) with ordinality e
        where (select locked.n from locked) >= 0
          and (not e.value ? 'x' or (e.value->>'x')::bigint in (select settled.id from settled)
            -- Two results of one work in one batch (two issues of it here): the first one only.
            and e.ordinality = (select min(f.ordinality) from jsonb_array_elements(p_rows) with ordinality f
              where f.value->>'x' = e.value->>'x'))
      ), stored as (
        insert into update_inbox as i (id, update_id, chat_id, kind, payload, reduced_at, commands, commands_done)
          select g.id, (g.v->>'u')::bigint, (g.v->>'c')::bigint, g.v->>'k',
            coalesce(g.v->'r'->'redacted', g.v->'p'), case when g.v ? 'r' then now() end, g.v->'r'->'commands',
            coalesce((g.v->'w'->>'d')::integer, 0)
          from given g order by g.n
          on conflict (update_id) do nothing
          returning i.id, i.chat_id
${previous.LEASES_TAKEN}
      -- On a snapshot taken after the leases, as 0018; the AI calls are read as they were before this statement.
      return query
        with ${NEW_ROWS}, ${previous.HEADS}, ${previous.SAVED_STEPS}, ${WORK}
        select rows.n, rows.id, h.n is not null, h.id, h.update_id, h.chat_id, h.kind,
          case when h.id = rows.id then rows.p else h.payload end, h.received_at,
          case when h.id <> rows.id then h.reduced_at end, case when h.id <> rows.id then h.commands end,
          case when h.id = rows.id and ok.n is null then 0 else h.commands_done end, h.processed_at, h.attempts,
          h.last_error,
          x.state, x.version, x.role, x.created_at, x.sender_username, x.sender_first_name,
          x.login_failures, x.locked_until, x.rate, x.revoked, ok.n is not null, wk.id,
          case when wk.id is not null then coalesce((
            select g.ai_calls from user_limits g
            where g.user_id = (rows.w->>'u')::bigint and g.ai_day = (now() at time zone p_day_zone)::date
          ), 0) end
        from rows
        left join heads h on h.n = rows.n
        left join loaded x on x.n = rows.n
        left join ok on ok.n = rows.n
        left join worked wk on ok.n is not null and rows.w is not null and wk.chat_id = rows.c
        order by rows.n;
    end $$`.execute(db)
  await planLookupsOnly(db, STORE_AND_START)
  await keepGenericPlan(db, STORE_AND_START)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop function if exists ${STORE_AND_START}`.execute(db)
}
