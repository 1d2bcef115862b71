import { type Kysely, sql } from "kysely"

export async function up(db: Kysely<unknown>): Promise<void> {
  // What each verdict was made under and how sure it was: the rubric version, the reviewer samples' votes and
  // models, the disputed steps, and how many quotes the models proposed and code could not find in the words.
  await sql`
    alter table case_attempts
      add column rubric_version text,
      add column review_samples jsonb,
      add column disputed jsonb not null default '[]'::jsonb,
      add column quotes_proposed integer not null default 0,
      add column quotes_unverified integer not null default 0`.execute(db)
  // The decided review of a transcript under a rubric: asked again for the same dialogue, the stored verdict is
  // given instead of a new one. It quotes the learner, so it has an owner (/forget_me) and ages out (retention).
  await sql`
    create table review_verdicts (
      key text primary key,
      user_id bigint not null,
      case_id text not null,
      feedback jsonb not null,
      created_at timestamptz not null default now()
    )`.execute(db)
  await sql`create index review_verdicts_user on review_verdicts (user_id)`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists review_verdicts`.execute(db)
  await sql`
    alter table case_attempts
      drop column if exists rubric_version,
      drop column if exists review_samples,
      drop column if exists disputed,
      drop column if exists quotes_proposed,
      drop column if exists quotes_unverified`.execute(db)
}
