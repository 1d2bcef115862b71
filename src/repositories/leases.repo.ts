import { type Kysely, type QueryCreator, sql } from "kysely"
import type { Database, InboxRow } from "../../db/schema"
import { nextPendingQuery, pendingRowsOf } from "./inbox.repo"

type Db = Kysely<Database>

const leaseUpsert = (db: QueryCreator<Database>, chatId: number, owner: string, ttlMs: number) => {
  const expires = sql<Date>`now() + make_interval(secs => ${ttlMs / 1000})`
  return db
    .insertInto("chat_leases")
    .values({ chat_id: chatId, owner, expires_at: expires })
    .onConflict((oc) =>
      oc
        .column("chat_id")
        .doUpdateSet({ owner, expires_at: expires })
        .where(({ or, eb }) =>
          or([eb("chat_leases.expires_at", "<", sql<Date>`now()`), eb("chat_leases.owner", "=", owner)]),
        ),
    )
    .returning("owner")
}

export type LeaseWithNext = { readonly leased: false } | { readonly leased: true; readonly next?: InboxRow }

/**
 * Takes the chat for `owner` if it is free, expired, or already ours (across processes on one database), and
 * reads the chat's oldest pending row in the same round trip: it runs for every update. FOR UPDATE makes
 * the row re-read at its latest version: the statement's snapshot may predate a peer's last commit on it (the
 * peer finishing the row, then releasing the lease we are waiting for). A row stored meanwhile is found by the
 * next look, after processing.
 */
export const acquireLease = async (
  db: Db,
  chatId: number,
  owner: string,
  ttlMs: number,
): Promise<LeaseWithNext> => {
  const rows = await db
    .with("lease", (q) => leaseUpsert(q, chatId, owner, ttlMs))
    .selectFrom("lease")
    .leftJoinLateral(nextPendingQuery(db, chatId).forUpdate().as("next"), (join) => join.onTrue())
    .selectAll("next")
    .execute()
  const [first] = rows
  if (!first) return { leased: false }
  return first.id === null ? { leased: true } : { leased: true, next: first as InboxRow }
}

export const renewLeases = (db: Db, owner: string, ttlMs: number) =>
  db
    .updateTable("chat_leases")
    .set({ expires_at: sql<Date>`now() + make_interval(secs => ${ttlMs / 1000})` })
    .where("owner", "=", owner)
    .execute()

export const releaseLease = (db: Db, chatId: number, owner: string) =>
  db.deleteFrom("chat_leases").where("chat_id", "=", chatId).where("owner", "=", owner).execute()

/**
 * Releases the chat's lease only when it has nothing pending (one round trip at the end of each drain); false
 * means a row is waiting, or the lease is no longer ours. Reads this statement's snapshot: the caller looks again
 * after a release, for a row a peer stored meanwhile.
 */
export const releaseLeaseIfIdle = async (db: Db, chatId: number, owner: string): Promise<boolean> => {
  const released = await db
    .deleteFrom("chat_leases")
    .where("chat_id", "=", chatId)
    .where("owner", "=", owner)
    .where(({ not, exists }) => not(exists(pendingRowsOf(db, chatId).select("id"))))
    .returning("chat_id")
    .executeTakeFirst()
  return released !== undefined
}

export const releaseAllLeases = (db: Db, owner: string) =>
  db.deleteFrom("chat_leases").where("owner", "=", owner).execute()
