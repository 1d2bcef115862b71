import { type Kysely, type Selectable, sql } from "kysely"
import type { BroadcastRecipientsTable, BroadcastsTable, Database } from "../../db/schema"
import type { Audience, BroadcastCounts, BroadcastView } from "../core/audience"

type Db = Kysely<Database>

export type Broadcast = Selectable<BroadcastsTable>
export type BroadcastRecipient = Selectable<BroadcastRecipientsTable>
export type BroadcastStatus = Broadcast["status"]
export type RecipientState = BroadcastRecipient["state"]

export { AUDIENCES, type Audience, type BroadcastCounts, isAudience } from "../core/audience"

export interface NewBroadcast {
  readonly createdBy: number
  readonly html: string
  readonly audience: Audience
  /** When to start; now by default. */
  readonly sendAt?: Date
  readonly progressChatId?: number | null
  readonly progressMessageId?: number | null
  /** Idempotency: creating again with the same key returns the broadcast created first. */
  readonly requestKey?: string
}

const audienceFilter = (audience: Audience) => {
  switch (audience) {
    case "all":
      return sql<boolean>`true`
    case "users":
      return sql<boolean>`u.role = 'user'`
    case "admins":
      return sql<boolean>`u.role = 'admin'`
    case "never_completed":
      return sql<boolean>`not exists (select 1 from case_attempts a where a.user_id = u.user_id)`
  }
}

/**
 * Creates the broadcast and freezes its recipient list (the audience as it is now) in one transaction. With a
 * `requestKey` already used, nothing is created and the existing broadcast is returned.
 */
export const createBroadcast = (
  db: Db,
  input: NewBroadcast,
): Promise<{ broadcast: Broadcast; recipients: number }> =>
  db.transaction().execute(async (tx) => {
    if (input.requestKey !== undefined) {
      const existing = await tx
        .selectFrom("broadcasts")
        .selectAll()
        .where("request_key", "=", input.requestKey)
        .executeTakeFirst()
      if (existing) {
        const broadcast = normalise(existing)
        return { broadcast, recipients: (await countsOf(tx, broadcast.id)).total }
      }
    }
    const broadcast = await tx
      .insertInto("broadcasts")
      .values({
        created_by: input.createdBy,
        html: input.html,
        audience: input.audience,
        status: "scheduled",
        send_at: input.sendAt ?? sql<Date>`now()`,
        progress_chat_id: input.progressChatId ?? null,
        progress_message_id: input.progressMessageId ?? null,
        request_key: input.requestKey ?? null,
      })
      .returningAll()
      .executeTakeFirstOrThrow()
    const inserted = await sql`
      insert into broadcast_recipients (broadcast_id, user_id)
      select ${broadcast.id}, u.user_id from authorized_users u
      where ${audienceFilter(input.audience)}
      order by u.user_id`.execute(tx)
    return { broadcast: normalise(broadcast), recipients: Number(inserted.numAffectedRows ?? 0n) }
  })

// PGlite hands int8 back as it likes; the app uses numbers for ids everywhere.
const normalise = (b: Broadcast): Broadcast => ({
  ...b,
  id: Number(b.id),
  created_by: Number(b.created_by),
  progress_chat_id: b.progress_chat_id === null ? null : Number(b.progress_chat_id),
})

export const findBroadcast = async (db: Db, id: number): Promise<Broadcast | undefined> => {
  const row = await db.selectFrom("broadcasts").selectAll().where("id", "=", id).executeTakeFirst()
  return row && normalise(row)
}

/** Records where the admin's progress message is, once it was sent. */
export const setProgressMessage = (db: Db, id: number, chatId: number, messageId: number) =>
  db
    .updateTable("broadcasts")
    .set({ progress_chat_id: chatId, progress_message_id: messageId })
    .where("id", "=", id)
    .execute()

/** scheduled → sending (started_at set once); false when the broadcast is cancelled, done or missing. */
export const startBroadcast = async (db: Db, id: number): Promise<boolean> => {
  const r = await db
    .updateTable("broadcasts")
    .set({ status: "sending", started_at: sql<Date>`coalesce(started_at, now())` })
    .where("id", "=", id)
    .where("status", "in", ["scheduled", "sending"])
    .executeTakeFirst()
  return r.numUpdatedRows > 0n
}

/** sending → done, only when no recipient is pending any more. */
export const finishBroadcast = async (db: Db, id: number): Promise<boolean> => {
  const r = await db
    .updateTable("broadcasts")
    .set({ status: "done", finished_at: sql<Date>`now()` })
    .where("id", "=", id)
    .where("status", "in", ["scheduled", "sending"])
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom("broadcast_recipients")
            .select(sql`1`.as("one"))
            .where("broadcast_id", "=", id)
            .where("state", "=", "pending"),
        ),
      ),
    )
    .executeTakeFirst()
  return r.numUpdatedRows > 0n
}

/** Stops a broadcast that is scheduled or sending; its pending recipients stay pending and are never sent to. */
export const cancelBroadcast = async (db: Db, id: number): Promise<boolean> => {
  const r = await db
    .updateTable("broadcasts")
    .set({ status: "cancelled", finished_at: sql<Date>`now()` })
    .where("id", "=", id)
    .where("status", "in", ["scheduled", "sending"])
    .executeTakeFirst()
  return r.numUpdatedRows > 0n
}

/** Scheduled broadcasts whose time has come (for the scheduler to start), oldest first. */
export const dueBroadcasts = async (db: Db, now: Date = new Date()): Promise<Broadcast[]> => {
  const rows = await db
    .selectFrom("broadcasts")
    .selectAll()
    .where("status", "in", ["scheduled", "sending"])
    .where("send_at", "<=", now)
    .orderBy("id")
    .execute()
  return rows.map(normalise)
}

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

const countColumns = sql<string>`
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

export interface BroadcastWithCounts extends Broadcast {
  readonly counts: BroadcastCounts
}

/** The newest broadcasts first, each with its recipient counts. */
export const listBroadcasts = async (db: Db, limit = 20): Promise<BroadcastWithCounts[]> => {
  const rows = await db.selectFrom("broadcasts").selectAll().orderBy("id", "desc").limit(limit).execute()
  if (rows.length === 0) return []
  const ids = rows.map((b) => Number(b.id))
  const counts = await sql<BroadcastCounts & { broadcast_id: number }>`
    select r.broadcast_id, ${countColumns} from broadcast_recipients r
    where r.broadcast_id in (${sql.join(ids)}) group by r.broadcast_id`.execute(db)
  const byId = new Map(counts.rows.map(({ broadcast_id, ...c }) => [Number(broadcast_id), c]))
  return rows.map((b) => {
    const n = normalise(b)
    return { ...n, counts: byId.get(n.id) ?? { total: 0, pending: 0, sent: 0, failed: 0, blocked: 0 } }
  })
}

/** What admins see of a broadcast. */
export const viewOf = (b: Broadcast, counts: BroadcastCounts): BroadcastView => ({
  id: b.id,
  audience: b.audience,
  status: b.status,
  sendAt: new Date(b.send_at).getTime(),
  counts,
})

/** How many people each audience holds right now (what a broadcast created now would be sent to). */
export const countAudiences = async (db: Db): Promise<Record<Audience, number>> => {
  const r = await sql<Record<Audience, number>>`
    select
      count(*)::int as "all",
      (count(*) filter (where ${audienceFilter("users")}))::int as users,
      (count(*) filter (where ${audienceFilter("admins")}))::int as admins,
      (count(*) filter (where ${audienceFilter("never_completed")}))::int as never_completed
    from authorized_users u`.execute(db)
  return r.rows[0] ?? { all: 0, users: 0, admins: 0, never_completed: 0 }
}
