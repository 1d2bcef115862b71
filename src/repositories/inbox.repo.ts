import { type Kysely, type QueryCreator, type RawBuilder, sql } from "kysely"
import type { Database, InboxRow } from "../../db/schema"
import { jsonText, param, prepared } from "./prepared"

type Db = Kysely<Database>

/** A chat's rows not processed yet; shared by every query that asks what a chat still has to do. */
export const pendingRowsOf = (db: QueryCreator<Database>, chatId: number | RawBuilder<number>) =>
  db.selectFrom("update_inbox").where("chat_id", "=", chatId).where("processed_at", "is", null)

/**
 * The chat's next pending row, as a query: run alone or inside another statement. Rows go in arrival order, but a
 * feedback event goes at the place of the row it answers (migration 0020), as the store functions pick them.
 */
export const nextPendingQuery = (db: QueryCreator<Database>, chatId: number | RawBuilder<number>) =>
  pendingRowsOf(db, chatId).selectAll().orderBy(sql`coalesce(place, id)`).orderBy("id").limit(sql.lit(1))

const nextPendingStatement = prepared((db) => nextPendingQuery(db, param(1)))

export const findNextPending = async (db: Db, chatId: number): Promise<InboxRow | undefined> =>
  (await nextPendingStatement(db, [chatId]))[0]

/**
 * Chats with pending rows and no live lease: resumed at start-up and by the periodic sweep. A plain scan of the
 * pending rows' index, never a bitmap one: the entries of rows processed since the last scan point at dead row
 * versions (until a vacuum, which may be a long way off), and only a plain scan marks them dead in the index, so
 * every later scan skips them; a bitmap scan visits all of them again every two seconds, tens of milliseconds of
 * CPU under load (bench/HISTORY.md, step 31).
 */
export const findOrphanedChats = (db: Db, limit: number): Promise<number[]> =>
  db.transaction().execute(async (trx) => {
    await sql`set local enable_bitmapscan = off`.execute(trx)
    const rows = await trx
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
  })

/**
 * The columns that record a row as reduced, from two parameters: the commands, and the scrubbed payload or null
 * (keep the payload as it is).
 */
export const reducedColumns = (commands: number, redacted: number) => ({
  reduced_at: sql<Date>`now()`,
  commands: param<string>(commands, "text::jsonb"),
  payload: sql<string>`coalesce(${param(redacted, "text")}::jsonb, payload)`,
})

/** The parameters for `reducedColumns`, in its order. */
export const reducedParams = (commands: unknown, redactPayload: unknown | undefined) => [
  jsonText(commands),
  redactPayload === undefined ? null : jsonText(redactPayload),
]

const markReducedStatement = prepared((db) =>
  db.updateTable("update_inbox").set(reducedColumns(2, 3)).where("id", "=", param<number>(1)),
)

export const markReduced = (db: Db, id: number, commands: unknown, redactPayload: unknown | undefined) =>
  markReducedStatement(db, [id, ...reducedParams(commands, redactPayload)])

export interface CommandDone {
  readonly id: number
  readonly chatId: number
  /** How many of the row's commands are done now; the last one also marks the row processed. */
  readonly done: number
  readonly last: boolean
  /** A feedback event the command produced, queued for the chat in the same statement as the mark. */
  readonly event?: unknown
}

/** The columns that record a row's progress: parameter `done` commands done, and `last` (marks it processed). */
export const progressColumns = (done: number, last: number) => ({
  commands_done: param<number>(done),
  processed_at: sql<Date | null>`case when ${param(last, "boolean")} then now() end`,
})

// $1 row id, $2 commands done, $3 last (marks the row processed); with an event, $4 chat and $5 the event.
const markDone = (db: QueryCreator<Database>) =>
  db.updateTable("update_inbox").set(progressColumns(2, 3)).where("id", "=", param<number>(1))
const markDoneStatement = prepared(markDone)
const markDoneWithEventStatement = prepared((db) =>
  markDone(
    db.with("queued", (q) =>
      q
        .insertInto("update_inbox")
        .values({
          update_id: sql.lit(null),
          chat_id: param(4),
          kind: sql.lit("event"),
          payload: param<string>(5, "text::jsonb"),
          // The answer stands where its command's row stands (nextPendingQuery).
          place: sql<number>`(select coalesce(o.place, o.id) from update_inbox o where o.id = ${param(1)})`,
        })
        .returning("id"),
    ),
  ),
)

/** Marks of several chats as the JSON array `markManyUpdate` reads. */
export const marksJson = (marks: ReadonlyArray<CommandDone>) =>
  jsonText(marks.map((c) => ({ id: c.id, chat: c.chatId, done: c.done, last: c.last })))

// The marked rows by id, besides the join: a plan made while the inbox was small (and kept) then still looks up
// only these rows, where a join alone would read the whole table once it has grown (migration 0016).
const markedIds = (n: number, table = "q") =>
  sql<boolean>`${sql.ref(`${table}.id`)} = any(array(select (e.v->>'id')::bigint from jsonb_array_elements(${param(n, "text::jsonb")}) as e(v)))`

/**
 * Marks of several chats from parameter `n`, a JSON array of {id, chat, done, last}; rows locked in the stores'
 * lock order (lockOrder). A query, to run alone or inside another statement (step-writes.repo.ts).
 */
export const markManyUpdate = (db: QueryCreator<Database>, n: number) =>
  db
    .updateTable("update_inbox as i")
    .from(
      sql<{ id: number; done: number; last: boolean }>`(
        select q.id, m.done, m.last from jsonb_to_recordset(${param(n, "text::jsonb")}) as m(id bigint, chat bigint, done integer, last boolean)
        join update_inbox q on q.id = m.id
        where ${markedIds(n)}
        order by m.chat % 2147483647, m.chat
        for update of q
      )`.as("m"),
    )
    .set({
      commands_done: sql`m.done`,
      processed_at: sql<Date | null>`case when m.last then now() end`,
    })
    .whereRef("i.id", "=", "m.id")
    .where(markedIds(n, "i"))

const markManyDoneStatement = prepared((db) => markManyUpdate(db, 1))

/** Marks of several chats' commands in one statement and one commit (lib/batch.ts). */
export const markManyDone = async (
  db: Db,
  marks: ReadonlyArray<CommandDone>,
): Promise<ReadonlyArray<void>> => {
  await markManyDoneStatement(db, [marksJson(marks)])
  return marks.map(() => undefined)
}

/** One command's progress alone, without an event. */
export const markOne = (db: Db, c: CommandDone) =>
  markDoneStatement(db, [c.id, c.done, c.last]).then(() => undefined)

/** Records a command's progress atomically with the feedback event it produced: one round trip. */
export const markDoneWithEvent = async (db: Db, c: CommandDone, event: unknown): Promise<void> =>
  void (await markDoneWithEventStatement(db, [c.id, c.done, c.last, c.chatId, jsonText(event)]))

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

/** Processed updates older than `days` go (the nightly retention). */
export const deleteProcessedUpdates = (db: Db, days: number) =>
  db
    .deleteFrom("update_inbox")
    .where("processed_at", "<", sql<Date>`now() - make_interval(days => ${days})`)
    .execute()
