import { type Kysely, type Selectable, sql } from "kysely"
import type { BroadcastRecipientsTable, Database } from "../../db/schema"
import type { BroadcastCounts } from "../core/audience"

/** A broadcast's recipients: claimed in order, marked as each send settles, counted for the progress message. */

type Db = Kysely<Database>

export type BroadcastRecipient = Selectable<BroadcastRecipientsTable>
export type RecipientState = BroadcastRecipient["state"]

/**
 * The next `limit` pending recipients in user id order. Rows another transaction holds are skipped (FOR UPDATE SKIP
 * LOCKED); the rows are not reserved after this returns, so one deliverer per broadcast is the caller's job (the
 * scheduler's job lease).
 */
export const claimPending = async (
  db: Db,
  broadcastId: number,
  limit: number,
): Promise<BroadcastRecipient[]> => {
  const rows = await db
    .selectFrom("broadcast_recipients")
    .selectAll()
    .where("broadcast_id", "=", broadcastId)
    .where("state", "=", "pending")
    .orderBy("user_id")
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute()
  return rows.map((r) => ({ ...r, broadcast_id: Number(r.broadcast_id), user_id: Number(r.user_id) }))
}

/** Notes that a send to this recipient is starting (see `settleInterrupted`). */
export const markSending = (db: Db, broadcastId: number, userId: number) =>
  db
    .updateTable("broadcast_recipients")
    .set({ sending_since: sql<Date>`now()` })
    .where("broadcast_id", "=", broadcastId)
    .where("user_id", "=", userId)
    .execute()

/** Why an interrupted recipient was not resent (stored, shown to admins as a failure). */
export const INTERRUPTED = "interrupted mid-send; not resent to avoid a duplicate"

/**
 * Settles the recipients whose send was in flight when the previous deliverer died: the message may or may not
 * have reached them, and a second copy is worse than one unknown, so they are marked failed, not resent.
 * Only safe while nobody else delivers this broadcast. Returns how many rows it settled.
 */
export const settleInterrupted = async (db: Db, broadcastId: number): Promise<number> => {
  const r = await db
    .updateTable("broadcast_recipients")
    .set({ state: "failed", error: INTERRUPTED })
    .where("broadcast_id", "=", broadcastId)
    .where("state", "=", "pending")
    .where("sending_since", "is not", null)
    .executeTakeFirst()
  return Number(r.numUpdatedRows)
}

const mark = (
  db: Db,
  broadcastId: number,
  userId: number,
  state: Exclude<RecipientState, "pending">,
  attempts: number,
  error: string | null,
) =>
  db
    .updateTable("broadcast_recipients")
    .set({
      state,
      attempts: sql<number>`attempts + ${attempts}`,
      sent_at: state === "sent" ? sql<Date>`now()` : null,
      error,
    })
    .where("broadcast_id", "=", broadcastId)
    .where("user_id", "=", userId)
    .where("state", "=", "pending")
    .execute()

export const markSent = (db: Db, broadcastId: number, userId: number, attempts = 1) =>
  mark(db, broadcastId, userId, "sent", attempts, null)

export const markFailed = (db: Db, broadcastId: number, userId: number, error: string, attempts = 1) =>
  mark(db, broadcastId, userId, "failed", attempts, error.slice(0, 500))

export const markBlocked = (db: Db, broadcastId: number, userId: number, error: string, attempts = 1) =>
  mark(db, broadcastId, userId, "blocked", attempts, error.slice(0, 500))

export const countColumns = sql<string>`
  count(*)::int as total,
  (count(*) filter (where r.state = 'pending'))::int as pending,
  (count(*) filter (where r.state = 'sent'))::int as sent,
  (count(*) filter (where r.state = 'failed'))::int as failed,
  (count(*) filter (where r.state = 'blocked'))::int as blocked`

export const countsOf = async (db: Db, broadcastId: number): Promise<BroadcastCounts> => {
  const r = await sql<BroadcastCounts>`
    select ${countColumns} from broadcast_recipients r where r.broadcast_id = ${broadcastId}`.execute(db)
  const row = r.rows[0]
  return row ?? { total: 0, pending: 0, sent: 0, failed: 0, blocked: 0 }
}
