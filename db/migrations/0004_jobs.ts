import { type Kysely, sql } from "kysely"

export async function up(db: Kysely<unknown>): Promise<void> {
  // The scheduler's job store: one row per job, so jobs survive restarts and one instance runs each due job.
  // `schedule` is a croner pattern (null for a one-off); `locked_by`/`locked_until` is the lease of a running job.
  await sql`
    create table scheduled_jobs (
      name text primary key,
      kind text not null,
      schedule text,
      timezone text not null default 'UTC',
      payload jsonb not null default '{}'::jsonb,
      next_run_at timestamptz,
      locked_by text,
      locked_until timestamptz,
      last_started_at timestamptz,
      last_finished_at timestamptz,
      last_error text,
      runs integer not null default 0,
      enabled boolean not null default true,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db)
  await sql`create index scheduled_jobs_due on scheduled_jobs (next_run_at) where enabled`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists scheduled_jobs`.execute(db)
}
