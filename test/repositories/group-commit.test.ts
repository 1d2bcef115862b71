import { describe, expect, setDefaultTimeout, test } from "bun:test"
import { sql } from "kysely"
import { batched } from "../../src/lib/batch"
import { type NewRow, type Stored, storeRow, storeRows } from "../../src/repositories/enqueue.repo"
import { type CommandDone, markManyDone } from "../../src/repositories/inbox.repo"
import { jsonb } from "../../src/repositories/jsonb"
import { lockOrder } from "../../src/repositories/lock-order"
import { saveReductions } from "../../src/repositories/save-reductions.repo"
import { markCommandDone, saveAndMarkTogether } from "../../src/repositories/step-writes.repo"
import { backends } from "../support/database"
import { type Db, useRepositoryDatabase } from "./database"

setDefaultTimeout(30_000)

const TTL = 30_000

const update = (updateId: number, chatId: number): NewRow => ({
  chatId,
  updateId,
  kind: "update",
  payload: { update_id: updateId, n: updateId },
  userId: chatId,
})

/** The ids of four rows stored together, one per chat, their update_ids counting up from `firstUpdate`. */
const storedIds = async (db: Db, firstUpdate: number, chats: [number, number, number, number]) => {
  const stored = (await storeRows(
    db,
    chats.map((c, i) => update(firstUpdate + i, c)),
    "a",
    TTL,
  )) as Stored[]
  return stored.map((s) => s.id) as [number, number, number, number]
}

/** Every chat's session as [chat, state, version], by chat. */
const sessionsOf = async (db: Db) =>
  (
    await db.selectFrom("chat_sessions").select(["chat_id", "state", "version"]).orderBy("chat_id").execute()
  ).map((s) => [Number(s.chat_id), s.state, s.version])

const rowsOf = (db: Db) =>
  db.selectFrom("update_inbox").select(["id", "update_id", "chat_id", "payload"]).orderBy("id").execute()

describe.each(backends)("receipts stored together (%s)", (backend) => {
  const db = useRepositoryDatabase(backend)

  test("one statement, each row as storeRow would: the free chat's first row takes the lease, the next waits; a seen update_id → null", async () => {
    await storeRow(db(), update(500, 30), "a", TTL)
    const results = await storeRows(
      db(),
      [update(501, 10), update(502, 10), update(500, 30), update(503, 11)],
      "a",
      TTL,
    )
    const [first, second, duplicate, other] = results as [Stored, Stored, null, Stored]
    expect(duplicate).toBeNull()
    expect(first.head?.next.id).toBe(first.id)
    expect(first.head?.loaded.session).toBeUndefined()
    expect(second.head).toBeUndefined()
    expect(second.id).toBeGreaterThan(first.id)
    expect(other.head?.next.update_id).toBe(503)
    const stored = await rowsOf(db())
    expect(stored.map((r) => [r.update_id, r.chat_id])).toEqual([
      [500, 30],
      [501, 10],
      [502, 10],
      [503, 11],
    ])
    expect(stored[1]!.payload).toEqual({ update_id: 501, n: 501 })
  })

  test("command marks of several chats in one statement: each row's progress, the last one processed", async () => {
    const [a, b] = (await storeRows(db(), [update(601, 40), update(602, 41)], "a", TTL)) as [Stored, Stored]
    await Promise.all([
      markCommandDone(db(), { id: a.id, chatId: 40, done: 1, last: false }),
      markCommandDone(db(), { id: b.id, chatId: 41, done: 2, last: true }),
      markCommandDone(db(), { id: a.id + 1000, chatId: 42, done: 1, last: true }),
    ])
    const rows = await db()
      .selectFrom("update_inbox")
      .select(["id", "commands_done", "processed_at"])
      .orderBy("id")
      .execute()
    expect(rows.map((r) => [r.id, r.commands_done, r.processed_at !== null])).toEqual([
      [a.id, 1, false],
      [b.id, 2, true],
    ])
  })

  test("store and mark batches at once over the same chats (lock order): no batch fails, every row stored and marked once", async () => {
    // A deadlock would not lose a row (the failed batch is tried row by row) but would cost a second: none allowed.
    const failed: unknown[] = []
    const noted = <A>(p: Promise<A>) => p.catch((e: unknown) => Promise.reject(failed.push(e) && e))
    const stores = batched<NewRow, Stored | null>({
      one: (row) => storeRow(db(), row, "a", TTL),
      many: (rows) => noted(storeRows(db(), rows, "a", TTL)),
      slots: 4,
      maxBatch: 8,
      compare: (x, y) => lockOrder(x.chatId, y.chatId),
    })
    const marks = batched<CommandDone, void>({
      one: (mark) => markCommandDone(db(), mark),
      many: (all) => noted(markManyDone(db(), all)),
      slots: 4,
      maxBatch: 8,
      compare: (x, y) => lockOrder(x.chatId, y.chatId),
    })
    const chats = [7, -7, 2147483654, 3, 11, -1002147483647]
    const inputs = Array.from({ length: 240 }, (_, i) => update(10_000 + i, chats[(i * 7) % chats.length]!))
    await Promise.all(
      inputs.map((row) =>
        stores(row).then((s) => marks({ id: s!.id, chatId: row.chatId, done: 1, last: true })),
      ),
    )
    expect(failed).toEqual([])
    const rows = await db().selectFrom("update_inbox").select(["update_id", "processed_at"]).execute()
    expect(rows.length).toBe(240)
    expect(new Set(rows.map((r) => r.update_id)).size).toBe(240)
    expect(rows.every((r) => r.processed_at !== null)).toBe(true)
  })

  test("reductions of several chats in one statement, each as saveReduction alone: first save, next save, a lost race, commands only", async () => {
    const [first, next, lost, only] = await storedIds(db(), 701, [50, 51, 52, 53])
    await db()
      .insertInto("chat_sessions")
      .values([
        { chat_id: 51, state: jsonb({ step: "old" }), version: 1 },
        { chat_id: 52, state: jsonb({ step: "newer" }), version: 3 },
      ])
      .execute()
    const counters = (userId: number, failures: number) => ({
      userId,
      auth: { failures, lockedUntil: failures > 2 ? 99 : null },
      rate: { hits: [failures] },
    })
    const saved = await saveReductions(db(), [
      { rowId: first, chatId: 50, state: { step: "a" }, expectedVersion: 0, commands: [{ _tag: "A" }] },
      {
        rowId: next,
        chatId: 51,
        state: { step: "b" },
        expectedVersion: 1,
        commands: [],
        redactPayload: { scrubbed: true },
        counters: counters(51, 3),
      },
      {
        rowId: lost,
        chatId: 52,
        state: { step: "c" },
        expectedVersion: 2,
        commands: [],
        counters: counters(52, 1),
      },
      { rowId: only, chatId: 53, expectedVersion: 0, commands: [{ _tag: "D" }], counters: counters(53, 1) },
    ])
    expect(saved).toEqual([true, true, false, true])
    expect(await sessionsOf(db())).toEqual([
      [50, { step: "a" }, 1],
      [51, { step: "b" }, 2],
      [52, { step: "newer" }, 3],
    ])
    const limits = await db()
      .selectFrom("user_limits")
      .select(["user_id", "login_failures", "locked_until", "rate"])
      .orderBy("user_id")
      .execute()
    expect(
      limits.map((l) => [
        Number(l.user_id),
        l.login_failures,
        l.locked_until === null ? null : Number(l.locked_until),
        l.rate,
      ]),
    ).toEqual([
      [51, 3, 99, { hits: [3] }],
      [53, 1, null, { hits: [1] }],
    ])
    const rows = await db()
      .selectFrom("update_inbox")
      .select(["id", "reduced_at", "commands", "payload"])
      .orderBy("id")
      .execute()
    expect(rows.map((r) => [r.reduced_at !== null, r.commands])).toEqual([
      [true, [{ _tag: "A" }]],
      [true, []],
      [false, null],
      [true, [{ _tag: "D" }]],
    ])
    expect(rows[1]!.payload).toEqual({ scrubbed: true })
    expect(rows[0]!.payload).toEqual({ update_id: 701, n: 701 })
  })

  test("one user's counters in two chats' steps of one batch: no failure, the later step's counters kept; two steps of one chat refused", async () => {
    const stored = (await storeRows(db(), [update(901, -70), update(902, 71)], "a", TTL)) as Stored[]
    const step = (i: number, chatId: number, failures: number) => ({
      rowId: stored[i]!.id,
      chatId,
      expectedVersion: 0,
      commands: [],
      counters: { userId: 71, auth: { failures, lockedUntil: null }, rate: { hits: [failures] } },
    })
    expect(await saveReductions(db(), [step(0, -70, 1), step(1, 71, 2)])).toEqual([true, true])
    const limits = await db().selectFrom("user_limits").select(["user_id", "login_failures"]).execute()
    expect(limits.map((l) => [Number(l.user_id), l.login_failures])).toEqual([[71, 2]])
    await expect(saveReductions(db(), [step(0, -70, 3), step(0, -70, 4)])).rejects.toThrow(
      "two steps of one chat",
    )
  })

  test("saves and marks of several chats in one statement, each as alone: a save, a lost race, marks in progress and done", async () => {
    const [saving, losing, marking, finishing] = await storedIds(db(), 1101, [80, 81, 82, 83])
    await db()
      .insertInto("chat_sessions")
      .values({ chat_id: 81, state: jsonb({ step: "newer" }), version: 4 })
      .execute()
    // The rows to mark were saved before, as their commands run only after their step is saved.
    await saveReductions(db(), [
      { rowId: marking, chatId: 82, expectedVersion: 0, commands: [{ _tag: "A" }, { _tag: "B" }] },
      { rowId: finishing, chatId: 83, expectedVersion: 0, commands: [{ _tag: "C" }] },
    ])
    // Kinds interleaved, as a batch sorted by lock order may have them.
    const answers = await saveAndMarkTogether(db(), [
      { chatId: 82, mark: { id: marking, chatId: 82, done: 1, last: false } },
      {
        chatId: 80,
        save: { rowId: saving, chatId: 80, state: { s: 1 }, expectedVersion: 0, commands: [{ _tag: "R" }] },
      },
      { chatId: 83, mark: { id: finishing, chatId: 83, done: 1, last: true } },
      { chatId: 81, save: { rowId: losing, chatId: 81, state: { s: 2 }, expectedVersion: 2, commands: [] } },
    ])
    expect(answers).toEqual([true, true, true, false])
    const rows = await db()
      .selectFrom("update_inbox")
      .select(["id", "commands", "commands_done", "processed_at"])
      .orderBy("id")
      .execute()
    expect(rows.map((r) => [r.commands, r.commands_done, r.processed_at !== null])).toEqual([
      [[{ _tag: "R" }], 0, false],
      [null, 0, false],
      [[{ _tag: "A" }, { _tag: "B" }], 1, false],
      [[{ _tag: "C" }], 1, true],
    ])
    expect(await sessionsOf(db())).toEqual([
      [80, { s: 1 }, 1],
      [81, { step: "newer" }, 4],
    ])
  })

  test("stores, saves and marks of many chats at once (lock order, kinds mixed in batches): no batch fails, every row done once", async () => {
    // A failed batch would not lose a row (it is tried row by row) but would hide a deadlock: none allowed.
    const failed: unknown[] = []
    const noted = <A>(p: Promise<A>) => p.catch((e: unknown) => Promise.reject(failed.push(e) && e))
    const compare = (x: { chatId: number }, y: { chatId: number }) => lockOrder(x.chatId, y.chatId)
    const stores = batched<NewRow, Stored | null>({
      one: (row) => storeRow(db(), row, "a", TTL),
      many: (rows) => noted(storeRows(db(), rows, "a", TTL)),
      slots: 2,
      maxBatch: 8,
      compare,
    })
    const steps = batched<Parameters<typeof saveAndMarkTogether>[1][number], boolean>({
      one: (write) => saveAndMarkTogether(db(), [write]).then(([answer]) => answer!),
      many: (writes) => noted(saveAndMarkTogether(db(), writes)),
      slots: 2,
      maxBatch: 8,
      compare,
    })
    const chats = Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? 5_000 + i : -(2_147_483_000 + i)))
    const chat = async (chatId: number, i: number) => {
      const rowId = (await stores(update(20_000 + i, chatId)))!.id
      const commands = [{ _tag: "A" }, { _tag: "B" }]
      expect(
        await steps({ chatId, save: { rowId, chatId, state: { n: i }, expectedVersion: 0, commands } }),
      ).toBe(true)
      await steps({ chatId, mark: { id: rowId, chatId, done: 1, last: false } })
      await steps({ chatId, mark: { id: rowId, chatId, done: 2, last: true } })
    }
    await Promise.all(chats.map(chat))
    expect(failed).toEqual([])
    const rows = await db().selectFrom("update_inbox").select(["commands_done", "processed_at"]).execute()
    expect(rows.map((r) => [r.commands_done, r.processed_at !== null])).toEqual(chats.map(() => [2, true]))
    const sessions = await db().selectFrom("chat_sessions").select("version").execute()
    expect(sessions.map((s) => s.version)).toEqual(chats.map(() => 1))
  })

  // No timing in a test: what is checked is the cause bench/HISTORY.md measured. A `language sql` function is parsed
  // and planned again on every call, which for save_reductions cost as much as running it.
  test("the grouped statements' functions keep their plans between calls: none is `language sql`", async () => {
    const functions = await sql<{ name: string; language: string }>`
      select p.proname as name, l.lanname as language from pg_proc p join pg_language l on l.oid = p.prolang
      where p.proname in ('save_reductions', 'store_inbox_rows', 'store_inbox_row') order by 1`.execute(db())
    expect(functions.rows).toEqual([
      { name: "save_reductions", language: "plpgsql" },
      { name: "store_inbox_row", language: "plpgsql" },
      { name: "store_inbox_rows", language: "plpgsql" },
    ])
  })
})
