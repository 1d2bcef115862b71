import { describe, expect, setDefaultTimeout, test } from "bun:test"
import { sql } from "kysely"
import { type NewRow, type Stored, storeRow, storeRows } from "../../src/repositories/enqueue.repo"
import { acquireLease } from "../../src/repositories/leases.repo"
import type { SessionAndSender } from "../../src/repositories/sessions.repo"
import { backends } from "../support/database"
import { type Db, updateReducedAtReceipt, useRepositoryDatabase } from "./database"

setDefaultTimeout(30_000)

const TTL = 30_000
const rate = { minute: { start: 5, count: 1 }, hour: { start: 5, count: 1 } }
const nobody: SessionAndSender = {
  session: undefined,
  sender: undefined,
  limits: { auth: { failures: 0, lockedUntil: null }, rate: null, revoked: false },
}

/** An update of `chatId` with its step reduced at receipt from `expected` (by default: a chat never seen). */
const reducedUpdate = (updateId: number, chatId: number, expected = nobody, version = 0): NewRow =>
  updateReducedAtReceipt(updateId, chatId, {
    expected,
    step: {
      chatId,
      expectedVersion: version,
      commands: [{ _tag: "Reply", text: `pong ${updateId}` }],
      state: { screen: `after ${updateId}` },
      counters: { userId: chatId, auth: { failures: 0, lockedUntil: null }, rate },
    },
  })

const rowOf = async (db: Db, id: number) =>
  db
    .selectFrom("update_inbox")
    .select(["reduced_at", "commands", "processed_at", "payload"])
    .where("id", "=", id)
    .executeTakeFirstOrThrow()

const sessionOf = (db: Db, chatId: number) =>
  db.selectFrom("chat_sessions").select(["state", "version"]).where("chat_id", "=", chatId).executeTakeFirst()

describe.each(backends)("a step reduced at receipt (%s)", (backend) => {
  const db = useRepositoryDatabase(backend)

  test("a chat never seen: the row, its step, the session and the counters in the statement that stores it", async () => {
    const stored = (await storeRow(db(), reducedUpdate(1, 10), "a", TTL)) as Stored
    expect(stored.reduced).toBe(true)
    expect(stored.head?.next.id).toBe(stored.id)
    expect(stored.head?.next.commands).toEqual([{ _tag: "Reply", text: "pong 1" }])
    const row = await rowOf(db(), stored.id)
    expect(row.reduced_at).not.toBeNull()
    expect(row.commands).toEqual([{ _tag: "Reply", text: "pong 1" }])
    expect(row.processed_at).toBeNull()
    expect(await sessionOf(db(), 10)).toEqual({ state: { screen: "after 1" }, version: 1 })
    const limits = await db().selectFrom("user_limits").select("rate").where("user_id", "=", 10).execute()
    expect(limits).toEqual([{ rate }])
  })

  test("a session the step was not computed from: stored as a plain row, nothing of the step written", async () => {
    await storeRow(db(), reducedUpdate(1, 10), "a", TTL)
    await sql`update update_inbox set processed_at = now()`.execute(db())
    await sql`delete from chat_leases`.execute(db())
    // Reduced as if the chat were new, while it has a session at version 1.
    const stale = (await storeRow(db(), reducedUpdate(2, 10), "a", TTL)) as Stored
    expect(stale.reduced).toBeUndefined()
    expect(stale.head?.next.id).toBe(stale.id)
    expect(stale.head?.loaded.session?.version).toBe(1)
    expect((await rowOf(db(), stale.id)).reduced_at).toBeNull()
    expect(await sessionOf(db(), 10)).toEqual({ state: { screen: "after 1" }, version: 1 })
  })

  test("the expected chat, at its version, with the sender's counters as saved: the step is saved", async () => {
    await storeRow(db(), reducedUpdate(1, 10), "a", TTL)
    await sql`update update_inbox set processed_at = now()`.execute(db())
    await sql`delete from chat_leases`.execute(db())
    const expected: SessionAndSender = {
      session: { state: { screen: "after 1" }, version: 1 },
      sender: undefined,
      limits: { auth: { failures: 0, lockedUntil: null }, rate, revoked: false },
    }
    const next = (await storeRow(db(), reducedUpdate(2, 10, expected, 1), "a", TTL)) as Stored
    expect(next.reduced).toBe(true)
    expect(await sessionOf(db(), 10)).toEqual({ state: { screen: "after 2" }, version: 2 })
    // Counters that moved on since (another chat of the same sender): not as expected, not saved.
    await sql`update update_inbox set processed_at = now()`.execute(db())
    await sql`delete from chat_leases`.execute(db())
    await sql`update user_limits set login_failures = 1`.execute(db())
    const moved = { ...expected, session: { state: {}, version: 2 } }
    const refused = (await storeRow(db(), reducedUpdate(3, 10, moved, 2), "a", TTL)) as Stored
    expect(refused.reduced).toBeUndefined()
    expect(await sessionOf(db(), 10)).toEqual({ state: { screen: "after 2" }, version: 2 })
  })

  test("an older row pending, a lease held elsewhere, or a repeated update_id: no step is saved", async () => {
    const older = (await storeRows(db(), [reducedUpdate(1, 10), reducedUpdate(2, 10)], "a", TTL)) as Stored[]
    expect(older.map((s) => s.reduced)).toEqual([true, undefined])
    expect((await rowOf(db(), older[1]!.id)).reduced_at).toBeNull()
    await acquireLease(db(), 20, "b", TTL)
    const held = (await storeRow(db(), reducedUpdate(3, 20), "a", TTL)) as Stored
    expect(held.reduced).toBeUndefined()
    expect(held.head).toBeUndefined()
    expect(await sessionOf(db(), 20)).toBeUndefined()
    expect(await storeRow(db(), reducedUpdate(3, 20), "a", TTL)).toBeNull()
  })

  test("a refused step leaves its row exactly as a plain store would: not reduced, no commands, payload as sent", async () => {
    await acquireLease(db(), 20, "b", TTL)
    const plain = { ...reducedUpdate(1, 21), reduced: undefined }
    const scrubbing = (row: NewRow): NewRow => ({
      ...row,
      reduced: { ...row.reduced!, step: { ...row.reduced!.step, redactPayload: { update_id: 0 } } },
    })
    // Refused: a lease held elsewhere; an older row pending (the plain one, stored first in the same batch).
    const held = (await storeRow(db(), scrubbing(reducedUpdate(2, 20)), "a", TTL)) as Stored
    const [, behind] = (await storeRows(db(), [plain, scrubbing(reducedUpdate(3, 21))], "a", TTL)) as Stored[]
    for (const [stored, updateId] of [
      [held, 2],
      [behind!, 3],
    ] as const) {
      expect(stored.reduced).toBeUndefined()
      expect(await rowOf(db(), stored.id)).toEqual({
        reduced_at: null,
        commands: null,
        processed_at: null,
        payload: { update_id: updateId },
      })
    }
  })

  test("the head comes back with its payload: the stored row's as sent, an older row's as stored", async () => {
    const [first] = (await storeRows(
      db(),
      [reducedUpdate(5, 60), reducedUpdate(6, 61)],
      "a",
      TTL,
    )) as Stored[]
    expect(first!.head?.next.payload).toEqual({ update_id: 5 })
    await sql`update update_inbox set reduced_at = null, commands = null where update_id = 5`.execute(db())
    await sql`delete from chat_leases`.execute(db())
    const [later] = (await storeRows(
      db(),
      [reducedUpdate(7, 60), reducedUpdate(8, 62)],
      "a",
      TTL,
    )) as Stored[]
    expect(later!.head?.next).toMatchObject({ id: first!.id, update_id: 5, payload: { update_id: 5 } })
  })

  test("two chats of one sender in one statement: only the first one's step is saved (both were checked against the same counters)", async () => {
    const groupChat = { ...reducedUpdate(2, -50), userId: 40 }
    const step = {
      ...groupChat.reduced!.step,
      counters: { ...groupChat.reduced!.step.counters!, userId: 40 },
    }
    const results = (await storeRows(
      db(),
      [reducedUpdate(1, 40), { ...groupChat, reduced: { ...groupChat.reduced!, step } }],
      "a",
      TTL,
    )) as Stored[]
    expect(results.map((s) => s.reduced)).toEqual([true, undefined])
    expect(results.map((s) => s.head !== undefined)).toEqual([true, true])
    expect(await sessionOf(db(), -50)).toBeUndefined()
  })

  test("rows of several chats together: each saved or stored on its own terms", async () => {
    await acquireLease(db(), 31, "b", TTL)
    const results = (await storeRows(
      db(),
      [reducedUpdate(1, 30), reducedUpdate(2, 31), { ...reducedUpdate(3, 32), reduced: undefined }],
      "a",
      TTL,
    )) as Stored[]
    expect(results.map((s) => s.reduced)).toEqual([true, undefined, undefined])
    expect(results.map((s) => s.head !== undefined)).toEqual([true, false, true])
    expect((await sessionOf(db(), 30))?.version).toBe(1)
    expect(await sessionOf(db(), 32)).toBeUndefined()
  })
})
