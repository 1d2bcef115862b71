import { describe, expect, setDefaultTimeout, test } from "bun:test"
import { sql } from "kysely"
import { recordAiCall } from "../../src/repositories/ai.repo"
import { type NewRow, storeRow } from "../../src/repositories/enqueue.repo"
import { saveReductionWithWork } from "../../src/repositories/sessions.repo"
import { saveReduction } from "../../src/repositories/step-writes.repo"
import {
  claimOrphanedWork,
  markCommandDoneWithWork,
  releaseWork,
  renewWork,
} from "../../src/repositories/work.repo"
import { backends } from "../support/database"
import { type Db, insertUpdate, useRepositoryDatabase } from "./database"

setDefaultTimeout(30_000)

const TTL = 30_000
const ORIGIN = { chatId: 7, userId: 7, firstName: "Аня", username: null }
const ASK = { _tag: "AskPersona", requestId: 3, caseId: "fb_employee", turns: [], text: "привет" }

const work = (owner = "a", deadlineSeconds = 300) => ({
  chatId: 7,
  userId: 7,
  command: ASK,
  origin: ORIGIN,
  owner,
  leaseSeconds: 15,
  deadlineSeconds,
  dayZone: "Europe/Moscow",
})

const answer = (requestId: number): NewRow => ({
  chatId: 7,
  updateId: null,
  kind: "event",
  payload: {
    feedback: { _tag: "PersonaReplied", requestId, reply: "ок", covered: [], model: "m" },
    origin: ORIGIN,
  },
  userId: 7,
})

const workRows = (db: Db) => db.selectFrom("background_work").selectAll().orderBy("id").execute()
const events = (db: Db) =>
  db.selectFrom("update_inbox").selectAll().where("kind", "=", "event").orderBy("id").execute()

/** A stored update whose first command is the work; returns the work's id. */
const startedWork = async (db: Db, owner = "a", deadlineSeconds = 300) => {
  const rowId = (await insertUpdate(db, 1, 7, { update_id: 1 }))!
  return markCommandDoneWithWork(
    db,
    { id: rowId, chatId: 7, done: 1, last: true },
    work(owner, deadlineSeconds),
  ).then((started) => started.id)
}

const expire = (db: Db, id: number) =>
  db
    .updateTable("background_work")
    .set({ expires_at: sql<Date>`now() - interval '1 second'` })
    .where("id", "=", id)
    .execute()

describe.each(backends)("background work (%s)", (backend) => {
  const db = useRepositoryDatabase(backend)

  test("the work's row is written by the statement that marks its command done", async () => {
    const id = await startedWork(db())
    const [row] = await workRows(db())
    expect(row).toMatchObject({
      id,
      chat_id: 7,
      user_id: 7,
      command: ASK,
      origin: ORIGIN,
      owner: "a",
      issues: 1,
    })
    expect(row!.expires_at.getTime()).toBeGreaterThan(Date.now() + 10_000)
    expect(row!.deadline_at.getTime()).toBeGreaterThan(Date.now() + 290_000)
    const inbox = await db().selectFrom("update_inbox").selectAll().executeTakeFirstOrThrow()
    expect(inbox.commands_done).toBe(1)
    expect(inbox.processed_at).toBeInstanceOf(Date)
  })

  test("the statement that starts the work also reads the user's AI calls today (no second round trip)", async () => {
    let updateId = 100
    const start = async () => {
      const rowId = (await insertUpdate(db(), ++updateId, 7, {}))!
      return markCommandDoneWithWork(db(), { id: rowId, chatId: 7, done: 1, last: true }, work())
    }
    expect((await start()).aiCallsToday).toBe(0)
    const usage = {
      userId: 7,
      caseId: "fb_employee",
      channel: "dialogue",
      provider: "openai",
      model: "m",
    } as const
    const call = {
      ...usage,
      inputTokens: 1,
      outputTokens: 1,
      latencyMs: 1,
      outcome: "ok",
      errorClass: null,
    } as const
    await recordAiCall(db(), call, "Europe/Moscow")
    await recordAiCall(db(), call, "Europe/Moscow")
    await recordAiCall(db(), { ...call, userId: 8 }, "Europe/Moscow")
    expect((await start()).aiCallsToday).toBe(2)
    // Yesterday's count is not today's.
    await db().updateTable("user_limits").set({ ai_day: "2000-01-01" }).where("user_id", "=", 7).execute()
    expect((await start()).aiCallsToday).toBe(0)
  })

  test("no inbox row to mark → no work either (the statement is one)", async () => {
    const done = { id: 999_999, chatId: 7, done: 1, last: true }
    await expect(markCommandDoneWithWork(db(), done, work())).rejects.toThrow()
    expect(await workRows(db())).toEqual([])
  })

  /** The result of work `id`, stored as the work runner stores it: only by the statement that deletes the work. */
  const settleWork = (k: Db, id: number, row: NewRow, owner: string, ttl: number) =>
    storeRow(k, { ...row, settles: id }, owner, ttl)

  test("settling stores the result and deletes the work in one statement; a second settle stores nothing", async () => {
    const id = await startedWork(db())
    const first = await settleWork(db(), id, answer(3), "a", TTL)
    expect(first?.id).toBeNumber()
    expect(await workRows(db())).toEqual([])
    expect(await settleWork(db(), id, answer(3), "b", TTL)).toBeNull()
    const stored = await events(db())
    expect(stored).toHaveLength(1)
    expect(stored[0]!.payload).toMatchObject({ feedback: { _tag: "PersonaReplied", requestId: 3 } })
  })

  test("two issues settling at the same time → exactly one result stored", async () => {
    const id = await startedWork(db())
    const results = await Promise.all([
      settleWork(db(), id, answer(3), "a", TTL),
      settleWork(db(), id, answer(3), "b", TTL),
    ])
    expect(results.filter((r) => r !== null)).toHaveLength(1)
    expect(await events(db())).toHaveLength(1)
  })

  test("live work is not claimed; expired or overdue work is, once, counting the issue", async () => {
    const live = await startedWork(db())
    expect(await claimOrphanedWork(db(), "b", 15, 10)).toEqual([])
    await expire(db(), live)
    const [claimed] = await claimOrphanedWork(db(), "b", 15, 10)
    expect(claimed).toMatchObject({ id: live, owner: "b", issues: 2 })
    expect(await claimOrphanedWork(db(), "c", 15, 10)).toEqual([])
    await db()
      .updateTable("background_work")
      .set({ deadline_at: sql<Date>`now() - interval '1 second'` })
      .execute()
    const [overdue] = await claimOrphanedWork(db(), "c", 15, 10)
    expect(overdue).toMatchObject({ id: live, owner: "c", issues: 3 })
    expect(overdue!.deadline_at.getTime()).toBeGreaterThan(Date.now() + 290_000)
  })

  test("everything: all work of other owners is claimed at once, not this owner's", async () => {
    const other = await startedWork(db(), "old")
    expect(await claimOrphanedWork(db(), "new", 15, 10, true)).toMatchObject([{ id: other, owner: "new" }])
    expect(await claimOrphanedWork(db(), "new", 15, 10, true)).toEqual([])
  })

  test("renewal keeps only the listed work of the owner; release gives all of it back at once", async () => {
    const id = await startedWork(db())
    await expire(db(), id)
    // b is not its owner: b's renewal changes nothing and the work stays up for grabs.
    await renewWork(db(), "b", [id], 15)
    expect(await claimOrphanedWork(db(), "x", 15, 10)).toHaveLength(1)
    // Now owned by x: x renews it, a renewal by someone else changes nothing.
    await expire(db(), id)
    await renewWork(db(), "x", [id], 15)
    expect(await claimOrphanedWork(db(), "y", 15, 10)).toEqual([])
    await releaseWork(db(), "x")
    expect(await claimOrphanedWork(db(), "y", 15, 10)).toMatchObject([{ id, owner: "y" }])
  })
})

describe.each(backends)("a step saved with the work it starts (%s)", (backend) => {
  const db = useRepositoryDatabase(backend)
  const TYPING = { _tag: "ChatAction", chatId: 9, action: "typing" }
  const counters = (userId: number) => ({
    userId,
    auth: { failures: 0, lockedUntil: null },
    rate: { minute: { count: 2, since: 1 } },
  })
  const withWork = { ...work(), userId: 9 }
  let updateId = 1000

  /** Chat 9 with a session at version 1 and a new row whose step asks the AI; returns the row's id. */
  const chatWithRow = async () => {
    const first = (await insertUpdate(db(), ++updateId, 9, {}))!
    await saveReduction(db(), {
      rowId: first,
      chatId: 9,
      state: { step: 1 },
      expectedVersion: 0,
      commands: [],
    })
    return (await insertUpdate(db(), ++updateId, 9, {}))!
  }
  const step = (rowId: number, expectedVersion: number, userId: number) => ({
    rowId,
    chatId: 9,
    state: { step: 2 },
    expectedVersion,
    commands: [TYPING, ASK],
    counters: counters(userId),
  })
  const inboxRow = (id: number) =>
    db().selectFrom("update_inbox").selectAll().where("id", "=", id).executeTakeFirstOrThrow()
  const limitsOf = (userId: number) =>
    db().selectFrom("user_limits").selectAll().where("user_id", "=", userId).executeTakeFirst()

  test("one statement: the state, the row's commands and progress, the work, the counters; the budget read back", async () => {
    const rowId = await chatWithRow()
    const started = await saveReductionWithWork(db(), step(rowId, 1, 9), { done: 2, last: true }, withWork)
    expect(started).toEqual({ id: expect.any(Number), aiCallsToday: 0 })
    const session = await db()
      .selectFrom("chat_sessions")
      .selectAll()
      .where("chat_id", "=", 9)
      .executeTakeFirst()
    expect(session).toMatchObject({ state: { step: 2 }, version: 2 })
    const row = await inboxRow(rowId)
    expect(row).toMatchObject({ commands: [TYPING, ASK], commands_done: 2 })
    expect(row.reduced_at).toBeInstanceOf(Date)
    expect(row.processed_at).toBeInstanceOf(Date)
    const [stored] = await workRows(db())
    expect(stored).toMatchObject({
      id: started!.id,
      chat_id: 9,
      user_id: 9,
      command: ASK,
      owner: "a",
      issues: 1,
    })
    expect((await limitsOf(9))?.rate).toEqual(counters(9).rate)
  })

  test("more commands after the work → the row stays pending at the next one", async () => {
    const rowId = await chatWithRow()
    const more = { ...step(rowId, 1, 9), commands: [ASK, TYPING, TYPING] }
    expect(await saveReductionWithWork(db(), more, { done: 1, last: false }, withWork)).not.toBeNull()
    const row = await inboxRow(rowId)
    expect(row.commands_done).toBe(1)
    expect(row.processed_at).toBeNull()
  })

  test("a lost race (another step saved first) → nothing written: no work, row not reduced, no counters", async () => {
    const rowId = await chatWithRow()
    await sql`update chat_sessions set version = 2 where chat_id = 9`.execute(db())
    expect(
      await saveReductionWithWork(db(), step(rowId, 1, 19), { done: 2, last: true }, withWork),
    ).toBeNull()
    expect(await workRows(db())).toEqual([])
    const row = await inboxRow(rowId)
    expect(row).toMatchObject({ reduced_at: null, commands_done: 0, processed_at: null })
    expect(await limitsOf(19)).toBeUndefined()
  })
})
