import { type Kysely, type QueryCreator, type RawBuilder, sql } from "kysely"
import type { Database, InboxRow } from "../../db/schema"
import { nextPendingQuery } from "./inbox.repo"
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

/**
 * `owner`'s lease rows, locked in the stores' lock order (lock-order.ts): a peer's store batch locks the lease rows
 * it meets in that order, so a statement that locks several of ours first this way never waits in a circle with it.
 */
const ownLeasesInLockOrder = (db: QueryCreator<Database>, owner: string | RawBuilder<string>) =>
  db
    .selectFrom("chat_leases")
    .select("chat_id")
    .where("owner", "=", owner)
    .orderBy(sql`chat_id % 2147483647`)
    .orderBy("chat_id")
    .forUpdate()

/** Renews all of `owner`'s leases. */
export const renewLeases = (db: Db, owner: string, ttlMs: number) =>
  db
    .with("mine", (q) => ownLeasesInLockOrder(q, owner))
    .updateTable("chat_leases as l")
    .set({ expires_at: sql<Date>`now() + make_interval(secs => ${ttlMs / 1000})` })
    .from("mine")
    .whereRef("l.chat_id", "=", "mine.chat_id")
    .where("l.owner", "=", owner)
    .execute()

export const releaseLease = (db: Db, chatId: number, owner: string) =>
  db.deleteFrom("chat_leases").where("chat_id", "=", chatId).where("owner", "=", owner).execute()

/** `chat_id` is one of the chats in parameter `n` (a bigint[] as text, see bigintArray). */
const amongChats = (n: number, column = "chat_id") =>
  sql<boolean>`${sql.ref(column)} = any(${param(n, "text::bigint[]")})`

/** The pending rows' chats among the chats in parameter `n`. */
const pendingAmong = (db: QueryCreator<Database>, n: number) =>
  db.selectFrom("update_inbox").select("chat_id").where(amongChats(n)).where("processed_at", "is", null)

// $1 owner, $2 the chats as bigint[].
const releaseIdleStatement = prepared((db) =>
  db
    .with("mine", (q) => ownLeasesInLockOrder(q, param<string>(1)).where(amongChats(2)))
    // Looked up once, by these chats: a `not exists` per lease was kept as a walk over the whole index of pending
    // rows for each lease (planned while it was small; it keeps an entry per row stored until a vacuum).
    .with(
      (cte) => cte("pending").materialized(),
      (q) => pendingAmong(q, 2),
    )
    .deleteFrom("chat_leases as l")
    .using("mine")
    .whereRef("l.chat_id", "=", "mine.chat_id")
    .where("l.owner", "=", param<string>(1))
    // Besides the join: a kept plan then looks up only these chats, however many leases the table has seen.
    .where(amongChats(2, "l.chat_id"))
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(selectFrom("pending").select("pending.chat_id").whereRef("pending.chat_id", "=", "l.chat_id")),
      ),
    )
    .returning("l.chat_id"),
)

const pendingAmongStatement = prepared((db) => pendingAmong(db, 1).distinct())

const bigintArray = (chatIds: ReadonlyArray<number>) => `{${chatIds.join(",")}}`

/**
 * Gives back `owner`'s leases of those chats that have nothing pending, in one statement; returns the chats given
 * back. Reads the statement's snapshot: the caller looks again (`chatsWithPending`) after it commits.
 */
export const releaseIdleLeases = async (db: Db, chatIds: ReadonlyArray<number>, owner: string) =>
  (await releaseIdleStatement(db, [owner, bigintArray(chatIds)])).map((r) => Number(r.chat_id))

/** Those of the chats that have a pending row. */
export const chatsWithPending = async (db: Db, chatIds: ReadonlyArray<number>) =>
  (await pendingAmongStatement(db, [bigintArray(chatIds)])).map((r) => Number(r.chat_id))

export const releaseAllLeases = (db: Db, owner: string) =>
  db.deleteFrom("chat_leases").where("owner", "=", owner).execute()

/** Every chat lease but `owner`'s: an embedded database has no other live instance, so theirs are stale. */
export const releaseLeasesNotOwnedBy = (db: Db, owner: string) =>
  db.deleteFrom("chat_leases").where("owner", "<>", owner).execute()
