import { describe, expect, setDefaultTimeout, test } from "bun:test"
import { sql } from "kysely"
import { recordAiCall } from "../../src/repositories/ai.repo"
import { type NewRow, settleWork } from "../../src/repositories/enqueue.repo"
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

  test("settling stores the result and deletes the work in one statement; a second settle stores nothing", async () => {
    const id = await startedWork(db())
    const first = await settleWork(db(), id, answer(3), "a", TTL)
    expect(first?.id).toBeNumber()
    expect(await workRows(db())).toEqual([])
    expect(await settleWork(db(), id, answer(3), "b", TTL)).toBeNull()
    const stored = await events(db())
    expect(stored).toHaveLength(1)
    expect(stored[0]!.payload).toMatchObject({ feedback: { _tag: "PersonaReplied", requestId: 3 }, work: id })
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
