import { type Kysely, sql } from "kysely"

export async function up(db: Kysely<unknown>): Promise<void> {
  // An admin's message to many users. `audience` is the rule the recipients were chosen by (frozen at creation in
  // broadcast_recipients); `progress_*` is the admin's message that shows the delivery progress, if any.
  await sql`
    create table broadcasts (
      id bigserial primary key,
      created_by bigint not null,
      html text not null,
      audience text not null,
      status text not null default 'scheduled'
        check (status in ('scheduled', 'sending', 'done', 'cancelled')),
      send_at timestamptz not null default now(),
      created_at timestamptz not null default now(),
      started_at timestamptz,
      finished_at timestamptz,
      progress_chat_id bigint,
      progress_message_id integer
    )`.execute(db)
  // One row per recipient; a row is marked right after its send, so a restarted delivery skips what was sent.
  await sql`
    create table broadcast_recipients (
      broadcast_id bigint not null references broadcasts (id) on delete cascade,
      user_id bigint not null,
      state text not null default 'pending' check (state in ('pending', 'sent', 'failed', 'blocked')),
      attempts integer not null default 0,
      sent_at timestamptz,
      error text,
      primary key (broadcast_id, user_id)
    )`.execute(db)
  await sql`
    create index broadcast_recipients_pending on broadcast_recipients (broadcast_id, user_id)
    where state = 'pending'`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists broadcast_recipients`.execute(db)
  await sql`drop table if exists broadcasts`.execute(db)
}
