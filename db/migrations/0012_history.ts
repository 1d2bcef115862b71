import { type Kysely, sql } from "kysely"

export async function up(db: Kysely<unknown>): Promise<void> {
  // How hard the persona was (soft / normal / hard) and how many hints the learner took: shown in the history.
  await sql`
    alter table case_attempts
      add column level text not null default 'normal',
      add column hints integer not null default 0`.execute(db)
  // Only reviewed attempts are numbered from now on (session.reviewed per case). A learner with stored attempts goes on
  // after the highest number they already have, so no number is shown twice.
  await sql`
    update chat_sessions s
    set state = jsonb_set(s.state, '{reviewed}', coalesce((
          select jsonb_object_agg(m.case_id, m.n)
          from (select case_id, max(attempt_no) as n from case_attempts a where a.chat_id = s.chat_id group by case_id) m
        ), '{}'::jsonb)),
      version = s.version + 1
    where jsonb_typeof(s.state) = 'object' and not (s.state ? 'reviewed')`.execute(db)
  // Who used the bot on which day (in the configured zone): /stats counts active users over 7 and 30 days from it,
  // since the inbox it is copied from is purged after a week. Not dialogue: no text, only the day.
  await sql`
    create table user_activity (
      user_id bigint not null,
      day date not null,
      primary key (user_id, day)
    )`.execute(db)
  await sql`create index user_activity_day on user_activity (day)`.execute(db)
  // A learner's choices: the weekly practice reminder is opt-in (off until they turn it on in /settings).
  await sql`
    create table user_settings (
      user_id bigint primary key,
      nudges boolean not null default false,
      updated_at timestamptz not null default now()
    )`.execute(db)
  // The history pages a learner's attempts newest first.
  await sql`create index if not exists case_attempts_user_ended on case_attempts (user_id, ended_at desc)`.execute(
    db,
  )
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists user_settings`.execute(db)
  await sql`drop table if exists user_activity`.execute(db)
  await sql`drop index if exists case_attempts_user_ended`.execute(db)
  await sql`alter table case_attempts drop column if exists level, drop column if exists hints`.execute(db)
}
