import { type Kysely, sql } from "kysely"

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table case_attempts (
      id bigserial primary key,
      user_id bigint not null,
      chat_id bigint not null,
      case_id text not null,
      attempt_no integer not null,
      started_at timestamptz not null,
      ended_at timestamptz not null,
      outcome text not null check (outcome in ('completed', 'out_of_moves', 'manual')),
      turns integer not null,
      score integer not null,
      covered jsonb not null,
      transcript jsonb not null,
      review jsonb,
      dialogue_model text,
      review_model text
    )`.execute(db)
  await sql`create index case_attempts_user_case on case_attempts (user_id, case_id, ended_at)`.execute(db)

  // Telegram file ids of documents we uploaded once (guides): re-sent by id instead of uploaded again.
  await sql`
    create table telegram_files (
      key text primary key,
      file_id text not null,
      updated_at timestamptz not null default now()
    )`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists telegram_files`.execute(db)
  await sql`drop table if exists case_attempts`.execute(db)
}
