import { type Kysely, sql } from "kysely"
import type { Database, InboxRow } from "../../db/schema"
import { nextPendingQuery, pendingRowsOf } from "./inbox.repo"
import { param, prepared } from "./prepared"

type Db = Kysely<Database>

// $1 chat, $2 owner, $3 time to live in seconds.
const acquireStatement = prepared((db) => {
  const owner = param<string>(2)
  const expires = sql<Date>`now() + make_interval(secs => ${param(3, "float8")})`
  return db
    .with("lease", (q) =>
      q
        .insertInto("chat_leases")
        .values({ chat_id: param(1), owner, expires_at: expires })
        .onConflict((oc) =>
          oc
            .column("chat_id")
            .doUpdateSet({ owner, expires_at: expires })
            .where(({ or, eb }) =>
              or([eb("chat_leases.expires_at", "<", sql<Date>`now()`), eb("chat_leases.owner", "=", owner)]),
            ),
        )
        .returning("owner"),
    )
    .selectFrom("lease")
    .leftJoinLateral(nextPendingQuery(db, param(1)).forUpdate().as("next"), (join) => join.onTrue())
    .selectAll("next")
})

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
  const [first] = await acquireStatement(db, [chatId, owner, ttlMs / 1000])
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

const releaseIfIdleStatement = prepared((db) =>
  db
    .deleteFrom("chat_leases")
    .where("chat_id", "=", param<number>(1))
    .where("owner", "=", param<string>(2))
    .where(({ not, exists }) => not(exists(pendingRowsOf(db, param(1)).select("id"))))
    .returning("chat_id"),
)

/**
 * Releases the chat's lease only when it has nothing pending (one round trip at the end of each drain); false
 * means a row is waiting, or the lease is no longer ours. Reads this statement's snapshot: the caller looks again
 * after a release, for a row a peer stored meanwhile.
 */
export const releaseLeaseIfIdle = async (db: Db, chatId: number, owner: string): Promise<boolean> =>
  (await releaseIfIdleStatement(db, [chatId, owner])).length > 0

export const releaseAllLeases = (db: Db, owner: string) =>
  db.deleteFrom("chat_leases").where("owner", "=", owner).execute()

/** Every chat lease but `owner`'s: an embedded database has no other live instance, so theirs are stale. */
export const releaseLeasesNotOwnedBy = (db: Db, owner: string) =>
  db.deleteFrom("chat_leases").where("owner", "<>", owner).execute()
