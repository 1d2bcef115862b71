import { type Kysely, sql } from "kysely"
import * as storeInboxRow from "./0007_store_inbox_row"
import { STORE_LOCK_NAMESPACE } from "./0007_store_inbox_row"

export async function up(db: Kysely<unknown>): Promise<void> {
  // Abuse counters by Telegram user id, apart from everything /forget_me erases: counters only, no personal data.
  // Times the pipeline compares with its own clock are epoch milliseconds; the AI day is the scheduler's local day.
  await sql`
    create table user_limits (
      user_id bigint primary key,
      login_failures integer not null default 0,
      locked_until bigint,
      rate jsonb,
      ai_day date,
      ai_calls integer not null default 0,
      revoked boolean not null default false,
      updated_at timestamptz not null default now()
    )`.execute(db)
  // /setrole @username looks names up case-insensitively, and a rename takes the name off whoever had it before.
  await sql`create index if not exists authorized_users_username_lower on authorized_users (lower(username))`.execute(
    db,
  )
  // Lockouts and rate windows in flight move over from the sessions (a private chat's id is its user's id).
  await sql`
    insert into user_limits (user_id, login_failures, locked_until, rate)
    select chat_id, coalesce((state->'auth'->>'failures')::numeric::integer, 0),
      (state->'auth'->>'lockedUntil')::numeric::bigint, state->'rate'
    from chat_sessions
    where chat_id > 0 and jsonb_typeof(state->'auth') = 'object'
    on conflict (user_id) do nothing`.execute(db)

  // The same store, lease and read as 0007, returning also the sender's stored name (refreshed when it changed)
  // and counters. The return type changes, so the function is dropped and created again.
  await sql`drop function if exists store_inbox_row(bigint, bigint, text, jsonb, text, double precision, bigint)`.execute(
    db,
  )
  await sql`
    create function store_inbox_row(
      p_update_id bigint, p_chat_id bigint, p_kind text, p_payload jsonb,
      p_owner text, p_lease_seconds double precision, p_user_id bigint
    ) returns table (
      stored_id bigint, leased boolean,
      id bigint, update_id bigint, chat_id bigint, kind text, payload jsonb, received_at timestamptz,
      reduced_at timestamptz, commands jsonb, commands_done integer, processed_at timestamptz,
      attempts integer, last_error text,
      state jsonb, version integer, role text, created_at timestamptz,
      sender_username text, sender_first_name text,
      login_failures integer, locked_until bigint, rate jsonb, revoked boolean
    ) language plpgsql as $$
    #variable_conflict use_column
    begin
      -- Stores of one chat go one at a time, so ids are handed out in commit order: whoever reads the chat's
      -- pending rows sees them in order, never a later one without the earlier.
      perform pg_advisory_xact_lock(${sql.lit(STORE_LOCK_NAMESPACE)}, (p_chat_id % 2147483647)::integer);
      insert into update_inbox as i (update_id, chat_id, kind, payload)
        values (p_update_id, p_chat_id, p_kind, p_payload)
        on conflict (update_id) do nothing
        returning i.id into stored_id;
      if stored_id is null then return; end if;
      -- Only a free or expired lease: one this instance holds belongs to a worker that is running already.
      insert into chat_leases as l (chat_id, owner, expires_at)
        values (p_chat_id, p_owner, now() + make_interval(secs => p_lease_seconds))
        on conflict (chat_id) do update set owner = excluded.owner, expires_at = excluded.expires_at
          where l.expires_at < now()
        returning true into leased;
      if leased is null then
        leased := false;
        return next;
        return;
      end if;
      -- The chat's oldest pending row (this one, or an older one still waiting), FOR UPDATE: at its latest version,
      -- should a peer be finishing it right now.
      return query
        select stored_id, true, n.id, n.update_id, n.chat_id, n.kind, n.payload, n.received_at, n.reduced_at,
          n.commands, n.commands_done, n.processed_at, n.attempts, n.last_error,
          s.state, s.version, u.role::text, u.created_at::timestamptz,
          u.username::text, u.first_name::text,
          g.login_failures, g.locked_until, g.rate, g.revoked
        from (
          select * from update_inbox q where q.chat_id = p_chat_id and q.processed_at is null
          order by q.id limit 1 for update
        ) n
        left join chat_sessions s on s.chat_id = p_chat_id
        left join authorized_users u on u.user_id = p_user_id
        left join user_limits g on g.user_id = p_user_id;
    end $$`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop function if exists store_inbox_row(bigint, bigint, text, jsonb, text, double precision, bigint)`.execute(
    db,
  )
  await storeInboxRow.up(db)
  await sql`drop index if exists authorized_users_username_lower`.execute(db)
  await sql`drop table if exists user_limits`.execute(db)
}
