import { type Kysely, type QueryCreator, sql } from "kysely"
import type { Database, InboxRow } from "../../db/schema"
import { jsonb } from "./jsonb"

type Db = Kysely<Database>

/** Stores a Telegram update once; returns its row id, or null when this update_id was already received. */
export const insertUpdate = async (db: Db, updateId: number, chatId: number, payload: unknown) => {
  const row = await db
    .insertInto("update_inbox")
    .values({ update_id: updateId, chat_id: chatId, kind: "update", payload: jsonb(payload) })
    .onConflict((oc) => oc.column("update_id").doNothing())
    .returning("id")
    .executeTakeFirst()
  return row?.id ?? null
}

/** Queues a feedback event for a chat, behind whatever that chat already has pending. */
export const insertEvent = async (db: Db, chatId: number, payload: unknown) => {
  const row = await db
    .insertInto("update_inbox")
    .values({ update_id: null, chat_id: chatId, kind: "event", payload: jsonb(payload) })
    .returning("id")
    .executeTakeFirstOrThrow()
  return row.id
}

/** A chat's rows not processed yet; shared by every query that asks what a chat still has to do. */
export const pendingRowsOf = (db: QueryCreator<Database>, chatId: number) =>
  db.selectFrom("update_inbox").where("chat_id", "=", chatId).where("processed_at", "is", null)

/** The chat's oldest pending row, as a query: run alone or inside another statement. */
export const nextPendingQuery = (db: QueryCreator<Database>, chatId: number) =>
  pendingRowsOf(db, chatId).selectAll().orderBy("id").limit(1)

export const findNextPending = (db: Db, chatId: number): Promise<InboxRow | undefined> =>
  nextPendingQuery(db, chatId).executeTakeFirst()

/** Chats with pending rows and no live lease: resumed at start-up and by the periodic sweep. */
export const findOrphanedChats = async (db: Db, limit: number): Promise<number[]> => {
  const rows = await db
    .selectFrom("update_inbox as i")
    .select("i.chat_id")
    .distinct()
    .where("i.processed_at", "is", null)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom("chat_leases as l")
            .select("l.chat_id")
            .whereRef("l.chat_id", "=", "i.chat_id")
            .where("l.expires_at", ">", sql<Date>`now()`),
        ),
      ),
    )
    .limit(limit)
    .execute()
  return rows.map((r) => r.chat_id)
}

/** The columns that record a row as reduced: its commands, and the scrubbed payload when there is one. */
export const reducedValues = (commands: unknown, redactPayload: unknown | undefined) => ({
  reduced_at: sql<Date>`now()`,
  commands: jsonb(commands),
  ...(redactPayload === undefined ? {} : { payload: jsonb(redactPayload) }),
})

export const markReduced = (db: Db, id: number, commands: unknown, redactPayload: unknown | undefined) =>
  db.updateTable("update_inbox").set(reducedValues(commands, redactPayload)).where("id", "=", id).execute()

export interface CommandDone {
  readonly id: number
  readonly chatId: number
  /** How many of the row's commands are done now; the last one also marks the row processed. */
  readonly done: number
  readonly last: boolean
  /** A feedback event the command produced, queued for the chat in the same statement as the mark. */
  readonly event?: unknown
}

/** Records a command's progress, atomically with its feedback event when there is one: one round trip. */
export const markCommandDone = async (db: Db, c: CommandDone): Promise<void> => {
  const values = c.last
    ? { commands_done: c.done, processed_at: sql<Date>`now()` }
    : { commands_done: c.done }
  const event = c.event
  const base =
    event === undefined
      ? db
      : db.with("queued", (q) =>
          q
            .insertInto("update_inbox")
            .values({ update_id: null, chat_id: c.chatId, kind: "event", payload: jsonb(event) })
            .returning("id"),
        )
  await base.updateTable("update_inbox").set(values).where("id", "=", c.id).execute()
}

export const markProcessed = (db: Db, id: number) =>
  db.updateTable("update_inbox").set({ processed_at: sql<Date>`now()` }).where("id", "=", id).execute()

export const markFailed = (db: Db, id: number, error: string) =>
  db
    .updateTable("update_inbox")
    .set((eb) => ({ attempts: eb("attempts", "+", 1), last_error: error }))
    .where("id", "=", id)
    .returning("attempts")
    .executeTakeFirst()

export const countBacklog = async (db: Db): Promise<number> => {
  const row = await db
    .selectFrom("update_inbox")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("processed_at", "is", null)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}
