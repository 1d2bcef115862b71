import { type Kysely, sql } from "kysely"

// Tables of the Python bot use `if not exists` and additive changes only, so its database upgrades in place.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table if not exists authorized_users (
      user_id bigint primary key,
      role text not null check (role in ('user', 'admin')),
      created_at timestamptz not null default now()
    )`.execute(db)
  await sql`alter table authorized_users add column if not exists username text`.execute(db)
  await sql`alter table authorized_users add column if not exists first_name text`.execute(db)
  await sql`alter table authorized_users add column if not exists last_seen_at timestamptz`.execute(db)

  await sql`
    create table if not exists case_stats (
      user_id bigint not null,
      case_id text not null,
      stat text not null,
      cnt integer not null default 0,
      updated_at timestamptz not null default now()
    )`.execute(db)
  await sql`create unique index if not exists case_stats_user_case_stat on case_stats (user_id, case_id, stat)`.execute(
    db,
  )

  await sql`
    create table if not exists bot_ratings (
      user_id bigint not null,
      question text not null,
      rating integer not null check (rating between 1 and 10),
      updated_at timestamptz not null default now()
    )`.execute(db)
  await sql`create unique index if not exists bot_ratings_user_question on bot_ratings (user_id, question)`.execute(
    db,
  )

  await sql`
    create table if not exists rating_comments (
      id bigserial primary key,
      user_id bigint not null,
      comment text not null,
      created_at timestamptz not null default now()
    )`.execute(db)

  await sql`
    create table if not exists rating_invites (
      user_id bigint primary key,
      sent_at timestamptz not null default now()
    )`.execute(db)

  await sql`
    create table chat_sessions (
      chat_id bigint primary key,
      state jsonb not null,
      version integer not null default 0,
      updated_at timestamptz not null default now()
    )`.execute(db)

  await sql`
    create table update_inbox (
      id bigserial primary key,
      update_id bigint unique,
      chat_id bigint not null,
      kind text not null check (kind in ('update', 'event')),
      payload jsonb not null,
      received_at timestamptz not null default now(),
      reduced_at timestamptz,
      commands jsonb,
      commands_done integer not null default 0,
      processed_at timestamptz,
      attempts integer not null default 0,
      last_error text
    )`.execute(db)
  await sql`create index update_inbox_pending on update_inbox (chat_id, id) where processed_at is null`.execute(
    db,
  )
  await sql`create index update_inbox_processed_at on update_inbox (processed_at) where processed_at is not null`.execute(
    db,
  )

  await sql`
    create table chat_leases (
      chat_id bigint primary key,
      owner text not null,
      expires_at timestamptz not null
    )`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ["chat_leases", "update_inbox", "chat_sessions"]) {
    await sql`drop table if exists ${sql.table(table)}`.execute(db)
  }
}
