import { type Kysely, type Selectable, sql } from "kysely"
import type { BroadcastsTable, Database } from "../../db/schema"
import { type Audience, type BroadcastCounts, type BroadcastView, NUDGE_AUDIENCE } from "../core/audience"

type Db = Kysely<Database>

export type Broadcast = Selectable<BroadcastsTable>
export type BroadcastStatus = Broadcast["status"]

export { AUDIENCES, type Audience, type BroadcastCounts, isAudience } from "../core/audience"

import { countColumns, countsOf } from "./recipients.repo"

export interface NewBroadcast {
  readonly createdBy: number
  readonly html: string
  readonly audience: Audience | typeof NUDGE_AUDIENCE
  /** When to start; now by default. */
  readonly sendAt?: Date
  readonly progressChatId?: number | null
  readonly progressMessageId?: number | null
  /** Idempotency: creating again with the same key returns the broadcast created first. */
  readonly requestKey?: string
}

/** Opted in, not revoked, and not known to have blocked the bot since they last wrote to it. */
const nudgeFilter = sql<boolean>`
  exists (select 1 from user_settings s where s.user_id = u.user_id and s.nudges)
  and not exists (select 1 from user_limits g where g.user_id = u.user_id and g.revoked)
  and not exists (
    select 1 from broadcast_recipients r join broadcasts b on b.id = r.broadcast_id
    where r.user_id = u.user_id and r.state = 'blocked'
      and not exists (
        select 1 from update_inbox i
        where i.chat_id = u.user_id and i.kind = 'update' and i.received_at > coalesce(b.started_at, b.created_at))
      and not exists (
        select 1 from user_activity a where a.user_id = u.user_id and a.day > coalesce(b.started_at, b.created_at)::date))`

const audienceFilter = (audience: Audience | typeof NUDGE_AUDIENCE) => {
  switch (audience) {
    case NUDGE_AUDIENCE:
      return nudgeFilter
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

/** A broadcast still scheduled or sending, to update; the update reports whether it changed a row. */
const active = (db: Db, id: number) =>
  db.updateTable("broadcasts").where("id", "=", id).where("status", "in", ["scheduled", "sending"])

const changed = async (update: { executeTakeFirst: () => Promise<{ numUpdatedRows: bigint }> }) =>
  (await update.executeTakeFirst()).numUpdatedRows > 0n

/** scheduled → sending (started_at set once); false when the broadcast is cancelled, done or missing. */
export const startBroadcast = (db: Db, id: number): Promise<boolean> =>
  changed(active(db, id).set({ status: "sending", started_at: sql<Date>`coalesce(started_at, now())` }))

/** sending → done, only when no recipient is pending any more. */
export const finishBroadcast = (db: Db, id: number): Promise<boolean> =>
  changed(
    active(db, id)
      .set({ status: "done", finished_at: sql<Date>`now()` })
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom("broadcast_recipients")
              .select(sql`1`.as("one"))
              .where("broadcast_id", "=", id)
              .where("state", "=", "pending"),
          ),
        ),
      ),
  )

/** Stops a broadcast that is scheduled or sending; its pending recipients stay pending and are never sent to. */
export const cancelBroadcast = (db: Db, id: number): Promise<boolean> =>
  changed(active(db, id).set({ status: "cancelled", finished_at: sql<Date>`now()` }))

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

export interface BroadcastWithCounts extends Broadcast {
  readonly counts: BroadcastCounts
}

/** The newest broadcasts first, each with its recipient counts. */
export const listBroadcasts = async (db: Db, limit = 20): Promise<BroadcastWithCounts[]> => {
  const rows = await db
    .selectFrom("broadcasts")
    .selectAll()
    .where("audience", "<>", NUDGE_AUDIENCE)
    .orderBy("id", "desc")
    .limit(limit)
    .execute()
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
