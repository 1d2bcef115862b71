import { type Kysely, sql } from "kysely"

/** The columns of one row of store_inbox_rows' result (0017 and 0018 return them too). */
export const STORED_ROW = sql`
  ord integer, stored_id bigint, leased boolean,
  id bigint, update_id bigint, chat_id bigint, kind text, payload jsonb, received_at timestamptz,
  reduced_at timestamptz, commands jsonb, commands_done integer, processed_at timestamptz,
  attempts integer, last_error text,
  state jsonb, version integer, role text, created_at timestamptz,
  sender_username text, sender_first_name text,
  login_failures integer, locked_until bigint, rate jsonb, revoked boolean`

/** What store_inbox_rows returns: a later version of the function (0014) must return exactly this. */
export const STORE_INBOX_ROWS_RESULT = sql`returns table (${STORED_ROW}
)`

export async function up(db: Kysely<unknown>): Promise<void> {
  // Updates that arrive together are stored together: one statement and one commit for all of them, each row
  // stored, leased and read exactly as store_inbox_row does (0009), in the order given. `p_rows` is a JSON array of
  // {u: update_id, c: chat_id, k: kind, p: payload, s: sender}. The caller orders it by the chats' lock keys, so
  // two batches (or a batch and a single store) never wait for each other's locks in a circle.
  await sql`
    create function store_inbox_rows(p_rows jsonb, p_owner text, p_lease_seconds double precision)
    ${STORE_INBOX_ROWS_RESULT} language plpgsql as $$
    declare
      r record;
    begin
      for r in select e.value as v, e.ordinality::integer as n from jsonb_array_elements(p_rows) with ordinality e loop
        return query
          select r.n, s.* from store_inbox_row(
            (r.v->>'u')::bigint, (r.v->>'c')::bigint, r.v->>'k', r.v->'p', p_owner, p_lease_seconds, (r.v->>'s')::bigint
          ) s;
      end loop;
    end $$`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop function if exists store_inbox_rows(jsonb, text, double precision)`.execute(db)
}
