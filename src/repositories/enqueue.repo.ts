import { type Kysely, sql } from "kysely"
import type { Database, InboxRow } from "../../db/schema"
import { nextPendingQuery } from "./inbox.repo"
import { jsonText, param, prepared } from "./prepared"
import { type SessionAndSender, sessionAndSenderOf } from "./sessions.repo"

type Db = Kysely<Database>

// $1 update_id (null for an event), $2 chat, $3 kind, $4 payload, $5 owner, $6 lease seconds, $7 the row's sender.
const storeRowStatement = prepared((db) => {
  const owner = param<string>(5)
  const expires = sql<Date>`now() + make_interval(secs => ${param(6, "float8")})`
  const leased = sql<boolean>`exists (select 1 from lease)`
  return db
    .with("stored", (q) =>
      q
        .insertInto("update_inbox")
        .values({
          update_id: param(1),
          chat_id: param(2),
          kind: param(3),
          payload: param<string>(4, "text::jsonb"),
        })
        .onConflict((oc) => oc.column("update_id").doNothing())
        .returningAll(),
    )
    .with("lease", (q) =>
      q
        .insertInto("chat_leases")
        .columns(["chat_id", "owner", "expires_at"])
        .expression(
          q
            .selectFrom("stored")
            .select([param<number>(2).as("chat_id"), owner.as("owner"), expires.as("expires_at")]),
        )
        // Only a free or expired lease: one this instance holds belongs to a worker that is running already.
        .onConflict((oc) =>
          oc
            .column("chat_id")
            .doUpdateSet({ owner, expires_at: expires })
            .where("chat_leases.expires_at", "<", sql<Date>`now()`),
        )
        .returning("owner"),
    )
    .selectFrom("stored")
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom(nextPendingQuery(db, param(2)).where(leased).forUpdate().as("older"))
          .selectAll()
          .unionAll(eb.selectFrom("stored as mine").selectAll().where(leased))
          .orderBy("id")
          .limit(sql.lit(1))
          .as("next"),
      (join) => join.onTrue(),
    )
    .leftJoin("chat_sessions as s", (join) => join.on("s.chat_id", "=", param<number>(2)))
    .leftJoin("authorized_users as u", (join) => join.on("u.user_id", "=", param<number>(7)))
    .selectAll("next")
    .select(["stored.id as stored_id", "s.state", "s.version", "u.role", "u.created_at"])
})

export interface NewRow {
  readonly chatId: number
  /** Telegram's update_id, deduplicated; null for a feedback event. */
  readonly updateId: number | null
  readonly kind: InboxRow["kind"]
  readonly payload: unknown
  /** Whom the row is from: their role is read in the same round trip. */
  readonly userId: number
}

/** The chat's lease, taken in the statement that stored the row, with what processing starts from. */
export interface Head {
  /** The chat's oldest pending row: the stored one, or an older one still waiting. */
  readonly next: InboxRow
  readonly loaded: SessionAndSender
  /** Whose role `loaded.sender` is. */
  readonly userId: number
}

export interface Stored {
  readonly id: number
  /** Present when the chat was free: this instance now holds its lease. */
  readonly head?: Head
}

/**
 * Stores an inbox row durably and, in the same round trip, takes the chat's lease if nobody holds it, reading the
 * chat's oldest pending row (FOR UPDATE: its latest version), its session and the sender's role. An idle chat's
 * new row is then processed without another read. Null when this update_id was stored before.
 */
export const storeRow = async (db: Db, row: NewRow, owner: string, ttlMs: number): Promise<Stored | null> => {
  const params = [row.updateId, row.chatId, row.kind, jsonText(row.payload), owner, ttlMs / 1000, row.userId]
  const [first] = await storeRowStatement(db, params)
  if (!first) return null
  const { stored_id: id, state, version, role, created_at, ...next } = first
  if (next.id === null) return { id }
  const loaded = sessionAndSenderOf({ state, version, role, created_at })
  return { id, head: { next: next as InboxRow, loaded, userId: row.userId } }
}
