import { type Kysely, sql } from "kysely"

export async function up(db: Kysely<unknown>): Promise<void> {
  // A transcript is the learner's words: it gets an owner, so /forget_me deletes it with the rest. Rows cached
  // before have no known owner and could never be forgotten; the cache is dropped (a re-sent voice is transcribed
  // again, nothing else is lost).
  await sql`delete from voice_transcripts`.execute(db)
  await sql`alter table voice_transcripts add column user_id bigint not null`.execute(db)
  await sql`create index voice_transcripts_user on voice_transcripts (user_id)`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists voice_transcripts_user`.execute(db)
  await sql`alter table voice_transcripts drop column if exists user_id`.execute(db)
}
