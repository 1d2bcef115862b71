import { type Kysely, sql } from "kysely"

export async function up(db: Kysely<unknown>): Promise<void> {
  // Set just before a recipient's send: a pending row that still has it when a delivery starts was in flight when
  // the previous deliverer died, and is settled without a resend (a duplicate is worse than one unknown).
  await sql`alter table broadcast_recipients add column sending_since timestamptz`.execute(db)
  // The admin's confirmation creates the broadcast; a retried command finds the one it already created.
  await sql`alter table broadcasts add column request_key text`.execute(db)
  await sql`create unique index broadcasts_request_key on broadcasts (request_key)`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists broadcasts_request_key`.execute(db)
  await sql`alter table broadcasts drop column if exists request_key`.execute(db)
  await sql`alter table broadcast_recipients drop column if exists sending_since`.execute(db)
}
