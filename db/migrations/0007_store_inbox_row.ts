import { type Kysely, sql } from "kysely"

/** Namespace of the per-chat advisory locks taken while storing (the scheduler's leader lock is 0x454d43). */
export const STORE_LOCK_NAMESPACE = 0x454d44

export async function up(db: Kysely<unknown>): Promise<void> {
  // One round trip for every update and every AI answer: store the row; if the chat is free, take its lease and
  // read what processing starts from. A function, because each of its statements reads a fresh snapshot, taken
  // after the chat's lock: a single statement would read one taken before it, and could miss a row of the chat
  // that a concurrent store committed meanwhile (then process a later row before an earlier one).
  await sql`
    create or replace function store_inbox_row(
      p_update_id bigint, p_chat_id bigint, p_kind text, p_payload jsonb,
      p_owner text, p_lease_seconds double precision, p_user_id bigint
    ) returns table (
      stored_id bigint, leased boolean,
      id bigint, update_id bigint, chat_id bigint, kind text, payload jsonb, received_at timestamptz,
      reduced_at timestamptz, commands jsonb, commands_done integer, processed_at timestamptz,
      attempts integer, last_error text,
      state jsonb, version integer, role text, created_at timestamptz
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
          s.state, s.version, u.role::text, u.created_at::timestamptz
        from (
          select * from update_inbox q where q.chat_id = p_chat_id and q.processed_at is null
          order by q.id limit 1 for update
        ) n
        left join chat_sessions s on s.chat_id = p_chat_id
        left join authorized_users u on u.user_id = p_user_id;
    end $$`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop function if exists store_inbox_row`.execute(db)
}
