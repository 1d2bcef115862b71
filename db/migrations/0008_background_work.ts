import { type Kysely, sql } from "kysely"

export async function up(db: Kysely<unknown>): Promise<void> {
  // Work that outlives the statement that started it (AI calls, transcriptions, an admin's export). The row is
  // written with the progress mark of the command that asked for it and deleted by the statement that stores its
  // result, so a crash or a deploy in between leaves it here for the next instance to issue again.
  await sql`
    create table background_work (
      id bigserial primary key,
      chat_id bigint not null,
      user_id bigint not null,
      command jsonb not null,
      origin jsonb not null,
      owner text,
      expires_at timestamptz not null,
      deadline_seconds double precision not null,
      deadline_at timestamptz not null,
      issues integer not null default 1,
      created_at timestamptz not null default now()
    )`.execute(db)
  await sql`create index background_work_expires_at on background_work (expires_at)`.execute(db)
  await sql`create index background_work_deadline_at on background_work (deadline_at)`.execute(db)
  await sql`create index background_work_owner on background_work (owner)`.execute(db)
  await sql`create index background_work_user on background_work (user_id)`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists background_work`.execute(db)
}
