import { type Kysely, sql } from "kysely"

export async function up(db: Kysely<unknown>): Promise<void> {
  // How hard the persona was (soft / normal / hard) and how many hints the learner took: shown in the history.
  await sql`
    alter table case_attempts
      add column level text not null default 'normal',
      add column hints integer not null default 0`.execute(db)
  // The history pages a learner's attempts newest first.
  await sql`create index if not exists case_attempts_user_ended on case_attempts (user_id, ended_at desc)`.execute(
    db,
  )
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists case_attempts_user_ended`.execute(db)
  await sql`alter table case_attempts drop column if exists level, drop column if exists hints`.execute(db)
}
