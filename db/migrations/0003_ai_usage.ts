import { type Kysely, sql } from "kysely"

export async function up(db: Kysely<unknown>): Promise<void> {
  // Every provider attempt the gateway makes: who, what for, which model, tokens, time, and how it ended.
  await sql`
    create table ai_calls (
      id bigserial primary key,
      at timestamptz not null default now(),
      user_id bigint,
      case_id text,
      channel text not null,
      provider text not null,
      model text not null,
      input_tokens integer not null default 0,
      output_tokens integer not null default 0,
      latency_ms integer not null,
      outcome text not null,
      error_class text
    )`.execute(db)
  await sql`create index ai_calls_user_day on ai_calls (user_id, channel, at)`.execute(db)
  await sql`create index ai_calls_at on ai_calls (at)`.execute(db)

  // Transcripts by Telegram's file_unique_id: the same voice is never transcribed twice.
  await sql`
    create table voice_transcripts (
      file_unique_id text primary key,
      transcript text not null,
      provider text not null,
      model text not null,
      created_at timestamptz not null default now()
    )`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists voice_transcripts`.execute(db)
  await sql`drop table if exists ai_calls`.execute(db)
}
