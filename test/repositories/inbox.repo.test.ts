import { describe, expect, setDefaultTimeout, test } from "bun:test"
import { sql } from "kysely"
import { storeRow, storeRows } from "../../src/repositories/enqueue.repo"
import {
  countBacklog,
  findNextPending,
  findOrphanedChats,
  markFailed,
  markProcessed,
  markReduced,
} from "../../src/repositories/inbox.repo"
import { acquireLease as acquire } from "../../src/repositories/leases.repo"
import { markCommandDone } from "../../src/repositories/step-writes.repo"
import { backends } from "../support/database"
import { type Db, insertEvent, insertUpdate, useRepositoryDatabase } from "./database"

// The first PGlite boot of a run takes seconds; bun applies this to this file only.
setDefaultTimeout(30_000)

const acquireLease = async (...args: Parameters<typeof acquire>) => (await acquire(...args)).leased

const rowOf = (db: Db, id: number) =>
  db.selectFrom("update_inbox").selectAll().where("id", "=", id).executeTakeFirstOrThrow()

const textPayload = (updateId: number, chatId: number, text: string) => ({
  update_id: updateId,
  message: {
    message_id: updateId,
    date: 1_700_000_000,
    chat: { id: chatId, type: "private", first_name: "Анна" },
    from: { id: chatId, is_bot: false, first_name: "Анна", language_code: "ru" },
    text,
    entities: [{ type: "bot_command", offset: 0, length: 6 }],
  },
})

describe.each(backends)("inbox repository (%s)", (backend) => {
  const db = useRepositoryDatabase(backend)

  describe("findNextPending", () => {
    test("chat with no rows → undefined", async () => {
      expect(await findNextPending(db(), 30)).toBeUndefined()
    })

    test("several pending rows of a chat among other chats → the lowest id of that chat", async () => {
      const other = await insertUpdate(db(), 4000, 31, { chat: 31 })
      const first = await insertUpdate(db(), 4001, 30, { chat: 30, n: 1 })
      await insertUpdate(db(), 4002, 31, { chat: 31 })
      const second = await insertEvent(db(), 30, { chat: 30, n: 2 })
      const next = await findNextPending(db(), 30)
      expect(next?.id).toBe(first!)
      expect(next?.chat_id).toBe(30)
      expect(next?.payload).toEqual({ chat: 30, n: 1 })
      expect((await findNextPending(db(), 31))?.id).toBe(other!)
      await markProcessed(db(), first!)
      expect((await findNextPending(db(), 30))?.id).toBe(second)
    })

    test("first row processed, second failed but unprocessed → the second", async () => {
      const a = await insertUpdate(db(), 4101, 32, {})
      const b = await insertUpdate(db(), 4102, 32, {})
      await markProcessed(db(), a!)
      await markFailed(db(), b!, "boom")
      expect((await findNextPending(db(), 32))?.id).toBe(b!)
    })
  })

  describe("markReduced", () => {
    test("commands array → stored with reduced_at, round-trips as an array; payload untouched", async () => {
      const payload = textPayload(5001, 40, "секрет")
      const id = await insertUpdate(db(), 5001, 40, payload)
      const commands = [
        { type: "send", chatId: 40, text: "Готово ✅" },
        { type: "edit", messageId: 7, keyboard: [[{ text: "Да", data: "yes" }]] },
      ]
      await markReduced(db(), id!, commands, undefined)
      const row = await rowOf(db(), id!)
      expect(Array.isArray(row.commands)).toBe(true)
      expect(row.commands).toEqual(commands)
      expect(row.reduced_at).toBeInstanceOf(Date)
      expect(row.payload).toEqual(payload)
      expect(row.processed_at).toBeNull()
    })

    test("empty commands → stored as an empty array, not null", async () => {
      const id = await insertUpdate(db(), 5002, 40, {})
      await markReduced(db(), id!, [], undefined)
      expect((await rowOf(db(), id!)).commands).toEqual([])
    })

    test("redacted payload given → replaces the stored payload", async () => {
      const id = await insertUpdate(db(), 5003, 40, textPayload(5003, 40, "/login пароль123"))
      const redacted = { update_id: 5003, message: { text: "[скрыто]" } }
      await markReduced(db(), id!, [{ type: "noop" }], redacted)
      const row = await rowOf(db(), id!)
      expect(row.payload).toEqual(redacted)
      expect(JSON.stringify(row.payload)).not.toContain("пароль123")
      expect(row.commands).toEqual([{ type: "noop" }])
    })

    test("another row of the chat → left unchanged", async () => {
      const a = await insertUpdate(db(), 5004, 41, { a: 1 })
      const b = await insertUpdate(db(), 5005, 41, { b: 1 })
      await markReduced(db(), a!, [1], { redacted: true })
      const other = await rowOf(db(), b!)
      expect(other.commands).toBeNull()
      expect(other.reduced_at).toBeNull()
      expect(other.payload).toEqual({ b: 1 })
    })
  })

  describe("markCommandDone", () => {
    test("done count → stored; later count overwrites it; not the last → still pending", async () => {
      const id = await insertUpdate(db(), 6001, 50, {})
      await markReduced(db(), id!, [{ n: 1 }, { n: 2 }, { n: 3 }], undefined)
      await markCommandDone(db(), { id: id!, chatId: 50, done: 1, last: false })
      expect((await rowOf(db(), id!)).commands_done).toBe(1)
      await markCommandDone(db(), { id: id!, chatId: 50, done: 2, last: false })
      const row = await rowOf(db(), id!)
      expect(row.commands_done).toBe(2)
      expect(row.processed_at).toBeNull()
      expect(await findNextPending(db(), 50)).toMatchObject({ id: id! })
    })

    test("the last command → the row is processed", async () => {
      const id = await insertUpdate(db(), 6002, 51, {})
      await markReduced(db(), id!, [{ n: 1 }], undefined)
      await markCommandDone(db(), { id: id!, chatId: 51, done: 1, last: true })
      const row = await rowOf(db(), id!)
      expect(row.commands_done).toBe(1)
      expect(row.processed_at).toBeInstanceOf(Date)
    })

    test("with a feedback event → the event is queued behind, as the chat's next pending row", async () => {
      const id = await insertUpdate(db(), 6003, 52, {})
      await markReduced(db(), id!, [{ n: 1 }, { n: 2 }], undefined)
      const event = { feedback: { _tag: "DbPinged", ok: true, ms: 3 }, origin: { chatId: 52, userId: 52 } }
      await markCommandDone(db(), { id: id!, chatId: 52, done: 2, last: true, event })
      expect((await rowOf(db(), id!)).processed_at).toBeInstanceOf(Date)
      const next = await findNextPending(db(), 52)
      expect(next).toMatchObject({ kind: "event", chat_id: 52, update_id: null, payload: event })
      expect(next!.id).toBeGreaterThan(id!)
    })
  })

  describe("a feedback event's place", () => {
    // Row `origin` ran a command whose answer was queued while `later` (and, for the store, `latest`) arrived: every
    // reader of the chat's next row takes the answer first; after it, the arrival order.
    const answeredWhileLaterArrived = async (chatId: number) => {
      const origin = await insertUpdate(db(), chatId * 10, chatId, {})
      const later = await insertUpdate(db(), chatId * 10 + 1, chatId, {})
      await markReduced(db(), origin!, [{ n: 1 }, { n: 2 }], undefined)
      const event = { feedback: { _tag: "DbPinged", ok: true, ms: 3 }, origin: { chatId, userId: chatId } }
      await markCommandDone(db(), { id: origin!, chatId, done: 1, last: false, event })
      await markCommandDone(db(), { id: origin!, chatId, done: 2, last: true })
      const answer = (await findNextPending(db(), chatId))!.id
      expect(answer).toBeGreaterThan(later!)
      return { answer, later: later! }
    }

    test("findNextPending: the answer before the update that arrived first; then that update", async () => {
      const { answer, later } = await answeredWhileLaterArrived(61)
      await markProcessed(db(), answer)
      expect((await findNextPending(db(), 61))!.id).toBe(later)
    })

    test("an answer to an answer keeps the first row's place", async () => {
      const { answer, later } = await answeredWhileLaterArrived(62)
      const event = { feedback: { _tag: "DbPinged", ok: true, ms: 4 }, origin: { chatId: 62, userId: 62 } }
      await markReduced(db(), answer, [{ n: 1 }], undefined)
      await markCommandDone(db(), { id: answer, chatId: 62, done: 1, last: true, event })
      const second = (await findNextPending(db(), 62))!
      expect(second.payload).toEqual(event)
      await markProcessed(db(), second.id)
      expect((await findNextPending(db(), 62))!.id).toBe(later)
    })

    test("a lease taken after a restart starts from the answer", async () => {
      const { answer } = await answeredWhileLaterArrived(63)
      expect(await acquire(db(), 63, "next-instance", 60_000)).toMatchObject({
        leased: true,
        next: { id: answer },
      })
    })

    test("a store that takes the free chat's lease reads the answer as the chat's next row (both store functions)", async () => {
      for (const [chatId, plain] of [
        [64, true],
        [65, false],
      ] as const) {
        const { answer } = await answeredWhileLaterArrived(chatId)
        const row = {
          chatId,
          updateId: chatId * 10 + 2,
          kind: "update" as const,
          payload: {},
          userId: chatId,
        }
        const stored = plain
          ? await storeRow(db(), row, "a", 60_000)
          : (await storeRows(db(), [row], "a", 60_000))[0]
        expect(stored?.head?.next.id).toBe(answer)
      }
    })
  })

  describe("markProcessed", () => {
    test("processed row → gone from findNextPending and the backlog, processed_at set", async () => {
      const id = await insertUpdate(db(), 7001, 60, {})
      await markProcessed(db(), id!)
      expect(await findNextPending(db(), 60)).toBeUndefined()
      expect(await countBacklog(db())).toBe(0)
      expect((await rowOf(db(), id!)).processed_at).toBeInstanceOf(Date)
    })

    test("processed update_id received again → still deduplicated", async () => {
      const id = await insertUpdate(db(), 7002, 60, {})
      await markProcessed(db(), id!)
      expect(await insertUpdate(db(), 7002, 60, {})).toBeNull()
      expect(await findNextPending(db(), 60)).toBeUndefined()
    })
  })

  describe("markFailed", () => {
    test("first and second failure → attempts 1 then 2, last_error holds the latest message", async () => {
      const id = await insertUpdate(db(), 8001, 70, {})
      expect(await markFailed(db(), id!, "сеть недоступна")).toEqual({ attempts: 1 })
      expect((await rowOf(db(), id!)).last_error).toBe("сеть недоступна")
      expect(await markFailed(db(), id!, "timeout")).toEqual({ attempts: 2 })
      const row = await rowOf(db(), id!)
      expect(row.attempts).toBe(2)
      expect(row.last_error).toBe("timeout")
      expect(row.processed_at).toBeNull()
    })

    test("unknown id → undefined", async () => {
      expect(await markFailed(db(), 987_654_321, "x")).toBeUndefined()
    })

    test("concurrent failures of one row → no lost increment", async () => {
      const id = await insertUpdate(db(), 8002, 70, {})
      await Promise.all(Array.from({ length: 5 }, (_, i) => markFailed(db(), id!, `e${i}`)))
      expect((await rowOf(db(), id!)).attempts).toBe(5)
    })
  })

  describe("countBacklog", () => {
    test("empty inbox → 0", async () => {
      expect(await countBacklog(db())).toBe(0)
    })

    test("3 pending and 2 processed rows over two chats → 3 (a number)", async () => {
      const ids = [
        await insertUpdate(db(), 9001, 80, {}),
        await insertUpdate(db(), 9002, 80, {}),
        await insertUpdate(db(), 9003, 81, {}),
        await insertEvent(db(), 81, {}),
        await insertEvent(db(), 80, {}),
      ]
      await markProcessed(db(), ids[0]!)
      await markProcessed(db(), ids[3]!)
      const n = await countBacklog(db())
      expect(typeof n).toBe("number")
      expect(n).toBe(3)
    })
  })

  describe("findOrphanedChats", () => {
    test("pending chats without lease, with expired lease, with live lease, processed-only → the first two", async () => {
      await insertUpdate(db(), 10_001, 90, {}) // no lease: orphaned
      await insertUpdate(db(), 10_002, 91, {}) // expired lease: orphaned
      await insertUpdate(db(), 10_003, 92, {}) // live lease: taken
      const done = await insertUpdate(db(), 10_004, 93, {}) // processed only: nothing to do
      await markProcessed(db(), done!)
      await insertEvent(db(), 90, {}) // a second pending row must not list chat 90 twice
      expect(await acquireLease(db(), 91, "dead-instance", 60_000)).toBe(true)
      await sql`update chat_leases set expires_at = now() - interval '1 second' where chat_id = 91`.execute(
        db(),
      )
      expect(await acquireLease(db(), 92, "live-instance", 60_000)).toBe(true)
      const orphans = await findOrphanedChats(db(), 100)
      expect([...orphans].sort((a, b) => a - b)).toEqual([90, 91])
      expect(typeof orphans[0]).toBe("number")
    })

    test("processed-only chat with an expired lease, no pending rows anywhere → []", async () => {
      const id = await insertUpdate(db(), 10_101, 94, {})
      await markProcessed(db(), id!)
      await acquireLease(db(), 94, "dead-instance", 60_000)
      await sql`update chat_leases set expires_at = now() - interval '1 second' where chat_id = 94`.execute(
        db(),
      )
      expect(await findOrphanedChats(db(), 10)).toEqual([])
    })

    test("3 orphaned chats, limit 2 → 2 distinct of them; limit 3 → all", async () => {
      for (const chat of [95, 96, 97]) {
        await insertUpdate(db(), 10_200 + chat, chat, {})
        await insertEvent(db(), chat, {})
      }
      const two = await findOrphanedChats(db(), 2)
      expect(two).toHaveLength(2)
      expect(new Set(two).size).toBe(2)
      for (const chat of two) expect([95, 96, 97]).toContain(chat)
      expect([...(await findOrphanedChats(db(), 3))].sort((a, b) => a - b)).toEqual([95, 96, 97])
    })

    test("rows processed since the last sweep → the sweep marks their index entries dead: a later scan of pending rows skips them", async () => {
      // Index entries a scan of the pending rows still returns (a bitmap scan, as the backlog gauge's count runs).
      const entriesScanned = () =>
        db()
          .transaction()
          .execute(async (trx) => {
            for (const off of ["seqscan", "indexscan", "indexonlyscan"])
              await sql.raw(`set local enable_${off} = off`).execute(trx)
            const { rows } = await sql<{ "QUERY PLAN": unknown }>`explain (analyze, format json)
              select count(*) from update_inbox where processed_at is null`.execute(trx)
            const plan = JSON.stringify(rows[0]!["QUERY PLAN"])
            return Number(/"Node Type":"Bitmap Index Scan".*?"Actual Rows":(\d+)/.exec(plan)?.[1])
          })
      // A vacuum between the steps would remove the entries itself.
      await sql`alter table update_inbox set (autovacuum_enabled = false)`.execute(db())
      await sql`insert into update_inbox (update_id, chat_id, kind, payload)
        select 20000 + n, 2000 + n, 'update', '{}'::jsonb from generate_series(1, 600) n`.execute(db())
      await sql`update update_inbox set processed_at = now()`.execute(db())
      await insertUpdate(db(), 30_001, 98, {})
      expect(await entriesScanned()).toBeGreaterThanOrEqual(601)
      // An entry is only marked once its row version is dead to every transaction PostgreSQL counts: a moment when
      // the server holds an older snapshot (another test's, under CI load) delays it to a later sweep, as in production.
      let left = Number.POSITIVE_INFINITY
      // Up to 15 s: a real-process test of another file may hold a transaction that long (drain-store.test.ts).
      for (let sweep = 0; sweep < 150 && left >= 20; sweep++) {
        if (sweep > 0) await Bun.sleep(100)
        expect(await findOrphanedChats(db(), 500)).toEqual([98])
        left = await entriesScanned()
      }
      expect(left).toBeLessThan(20)
    })

    test("chat ids beyond 2^31 (group chats) → returned as exact numbers", async () => {
      await insertUpdate(db(), 10_301, -1_009_876_543_210, {})
      expect(await findOrphanedChats(db(), 10)).toEqual([-1_009_876_543_210])
    })
  })
})
