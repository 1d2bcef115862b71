import { describe, expect, setDefaultTimeout, test } from "bun:test"
import { sql } from "kysely"
import { NEVER_SEEN } from "../../src/pipeline/at-receipt"
import { type NewRow, type Stored, storeRow, storeRows } from "../../src/repositories/enqueue.repo"
import type { SessionAndSender } from "../../src/repositories/sessions.repo"
import type { NewWork } from "../../src/repositories/work.repo"
import { backends } from "../support/database"
import { type Db, updateReducedAtReceipt, useRepositoryDatabase } from "./database"

setDefaultTimeout(30_000)

const TTL = 30_000
const ZONE = "Europe/Moscow"
const nobody = NEVER_SEEN
const typing = { _tag: "ChatAction", action: "typing" }
const ask = { _tag: "AskPersona", caseId: "fb_employee", requestId: "r1" }
const reply = { _tag: "Reply", text: "после ответа" }

const workOf = (userId: number): NewWork => ({
  userId,
  command: ask,
  origin: { chatId: userId, userId },
  owner: "a",
  leaseSeconds: 60,
  deadlineSeconds: 300,
  dayZone: ZONE,
})

/** An update whose step, reduced at receipt from a chat never seen, starts work after a chat action. */
const turn = (updateId: number, chatId: number, then: ReadonlyArray<unknown> = []): NewRow => {
  const commands = [typing, ask, ...then] as never
  return updateReducedAtReceipt(updateId, chatId, {
    expected: nobody,
    step: { chatId, expectedVersion: 0, commands, state: { turn: updateId } },
    work: { work: workOf(chatId), done: 2, last: then.length === 0 },
  })
}

const rowOf = (db: Db, id: number) =>
  db
    .selectFrom("update_inbox")
    .select(["reduced_at", "commands_done", "processed_at", "commands"])
    .where("id", "=", id)
    .executeTakeFirstOrThrow()

const workRows = (db: Db) =>
  db
    .selectFrom("background_work")
    .select(["id", "chat_id", "user_id", "command", "owner"])
    .orderBy("id")
    .execute()

describe.each(backends)("a step reduced at receipt that starts work (%s)", (backend) => {
  const db = useRepositoryDatabase(backend)

  test("the work's row is written with the step; its id and the sender's AI calls today come back", async () => {
    await sql`insert into user_limits (user_id, ai_day, ai_calls)
      values (10, (now() at time zone ${ZONE})::date, 3)`.execute(db())
    const stored = (await storeRow(db(), turn(1, 10), "a", TTL)) as Stored
    expect(stored.reduced).toBe(true)
    const work = await workRows(db())
    expect(work).toEqual([{ id: work[0]!.id, chat_id: 10, user_id: 10, command: ask, owner: "a" }])
    expect(stored.head?.started).toEqual({ id: Number(work[0]!.id), aiCallsToday: 3, work: workOf(10) })
    // The work's command was the last: the row is done with, as commitWithWork leaves it.
    const row = await rowOf(db(), stored.id)
    expect(row.commands_done).toBe(2)
    expect(row.processed_at).not.toBeNull()
    expect(stored.head?.next).toMatchObject({ commands_done: 2, commands: [typing, ask] })
    expect(stored.head?.next.processed_at).not.toBeNull()
  })

  test("commands after the work: the row stays pending, done up to the work; no budget read yet → 0", async () => {
    const stored = (await storeRow(db(), turn(1, 11, [reply]), "a", TTL)) as Stored
    expect(stored.head?.started?.aiCallsToday).toBe(0)
    const row = await rowOf(db(), stored.id)
    expect(row).toMatchObject({ commands_done: 2, processed_at: null, commands: [typing, ask, reply] })
    expect(stored.head?.next).toMatchObject({ commands_done: 2, processed_at: null })
  })

  test("a step not saved writes no work: its row is put back as a plain store leaves it", async () => {
    const [first, behind] = (await storeRows(db(), [turn(1, 12), turn(2, 12)], "a", TTL)) as Stored[]
    expect([first!.reduced, behind!.reduced]).toEqual([true, undefined])
    expect(behind!.head).toBeUndefined()
    expect(await rowOf(db(), behind!.id)).toEqual({
      reduced_at: null,
      commands_done: 0,
      processed_at: null,
      commands: null,
    })
    expect((await workRows(db())).map((w) => w.chat_id)).toEqual([12])
    // The chat's head, refused (computed from a version the chat has left): handed back as stored, done with nothing.
    await sql`update update_inbox set processed_at = now()`.execute(db())
    await sql`delete from chat_leases`.execute(db())
    const stale = (await storeRow(db(), turn(3, 12), "a", TTL)) as Stored
    expect(stale.reduced).toBeUndefined()
    expect(stale.head?.next).toMatchObject({
      id: stale.id,
      reduced_at: null,
      commands: null,
      commands_done: 0,
    })
    expect(stale.head?.started).toBeUndefined()
    expect((await rowOf(db(), stale.id)).commands_done).toBe(0)
    expect(await workRows(db())).toHaveLength(1)
  })

  test("two results of one work in one statement (two issues of it here): the first stored, the second not", async () => {
    const turned = (await storeRow(db(), turn(1, 13), "a", TTL)) as Stored
    await sql`delete from chat_leases`.execute(db())
    const result = (text: string): NewRow => ({
      chatId: 13,
      updateId: null,
      kind: "event",
      payload: { text },
      userId: 13,
      settles: turned.head!.started!.id,
    })
    const [first, second] = await storeRows(db(), [result("first"), result("second")], "a", TTL)
    expect(first?.id).toBeNumber()
    expect(second).toBeNull()
    const events = await db()
      .selectFrom("update_inbox")
      .select("payload")
      .where("kind", "=", "event")
      .execute()
    expect(events).toEqual([{ payload: { text: "first" } }])
  })

  test("a rolling deploy: the code before keeps its three-argument function, with the result it was planned for", async () => {
    const rows = JSON.stringify([{ u: 1, c: 30, k: "update", p: { update_id: 1 }, s: 30 }])
    const { rows: result } = await sql<Record<string, unknown>>`
      select * from store_and_reduce_rows(${rows}::text::jsonb, 'old', 30)`.execute(db())
    expect(result).toHaveLength(1)
    expect(result[0]).toMatchObject({ ord: 1, leased: true, reduced: false, chat_id: 30 })
    expect(Object.keys(result[0]!)).not.toContain("work_id")
  })

  test("the work's result with its step: stored and saved by the statement that deletes the work, exactly once", async () => {
    const turned = (await storeRow(db(), turn(1, 40), "a", TTL)) as Stored
    await sql`delete from chat_leases`.execute(db())
    const workId = turned.head!.started!.id
    const expected: SessionAndSender = { ...nobody, session: { state: { turn: 1 }, version: 1 } }
    const result: NewRow = {
      chatId: 40,
      updateId: null,
      kind: "event",
      payload: { feedback: { _tag: "PersonaReplied" }, work: workId },
      userId: 40,
      settles: workId,
      reduced: {
        expected,
        step: { chatId: 40, expectedVersion: 1, commands: [reply], state: { turn: "answered" } },
      },
    }
    const stored = (await storeRow(db(), result, "a", TTL)) as Stored
    expect(stored.reduced).toBe(true)
    expect(stored.head?.next).toMatchObject({ kind: "event", commands: [reply], commands_done: 0 })
    expect(await workRows(db())).toEqual([])
    const session = () =>
      db()
        .selectFrom("chat_sessions")
        .select(["state", "version"])
        .where("chat_id", "=", 40)
        .executeTakeFirst()
    expect(await session()).toEqual({ state: { turn: "answered" }, version: 2 })
    // Issued twice, settled twice: the second result is not stored, and its step is not saved.
    await sql`delete from chat_leases`.execute(db())
    const again = {
      ...result,
      reduced: { ...result.reduced!, expected: { ...expected, session: { state: {}, version: 2 } } },
    }
    expect(
      await storeRow(
        db(),
        { ...again, reduced: { ...again.reduced, step: { ...again.reduced.step, expectedVersion: 2 } } },
        "a",
        TTL,
      ),
    ).toBeNull()
    expect(await session()).toEqual({ state: { turn: "answered" }, version: 2 })
    const events = await db().selectFrom("update_inbox").select("id").where("kind", "=", "event").execute()
    expect(events).toHaveLength(1)
  })

  test("several chats' turns in one statement: each gets its own work", async () => {
    const results = (await storeRows(db(), [turn(1, 20), turn(2, 21, [reply])], "a", TTL)) as Stored[]
    const work = await workRows(db())
    expect(work.map((w) => w.chat_id)).toEqual([20, 21])
    expect(results.map((s) => s.head?.started?.id)).toEqual(work.map((w) => Number(w.id)))
  })
})
