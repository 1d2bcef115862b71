import { describe, expect, setDefaultTimeout, test } from "bun:test"
import { sql } from "kysely"
import { STORE_LOCK_NAMESPACE } from "../../db/migrations/0007_store_inbox_row"
import { upsertRole } from "../../src/auth/roles.repo"
import { type NewRow, storeRow } from "../../src/repositories/enqueue.repo"
import { countBacklog, findNextPending, markProcessed } from "../../src/repositories/inbox.repo"
import { saveReduction } from "../../src/repositories/step-writes.repo"
import { backends } from "../support/database"
import { waitFor } from "../support/wait"
import { type Db, insertUpdate, sleep, useRepositoryDatabase } from "./database"

// The first PGlite boot of a run takes seconds; bun applies this to this file only.
setDefaultTimeout(30_000)

const TTL = 30_000

/** The row as the pipeline reads it (InboxRow: its `place` only orders the chat's rows). */
const rowOf = async (db: Db, id: number) => {
  const { place: _place, ...row } = await db
    .selectFrom("update_inbox")
    .selectAll()
    .where("id", "=", id)
    .executeTakeFirstOrThrow()
  return row
}

const leaseOf = (db: Db, chatId: number) =>
  db.selectFrom("chat_leases").selectAll().where("chat_id", "=", chatId).executeTakeFirst()

const update = (updateId: number, chatId: number, payload: unknown = { update_id: updateId }): NewRow => ({
  chatId,
  updateId,
  kind: "update",
  payload,
  userId: chatId,
})

describe.each(backends)("storeRow (%s)", (backend) => {
  const db = useRepositoryDatabase(backend)
  const store = (row: NewRow, owner = "a") => storeRow(db(), row, owner, TTL)

  describe("storing", () => {
    test("new update_id → a numeric id and an unprocessed 'update' row", async () => {
      const stored = await store(update(1001, 10))
      expect(typeof stored?.id).toBe("number")
      const row = await rowOf(db(), stored!.id)
      expect(row).toMatchObject({
        update_id: 1001,
        chat_id: 10,
        kind: "update",
        reduced_at: null,
        commands: null,
        commands_done: 0,
        processed_at: null,
        attempts: 0,
        last_error: null,
      })
      expect(row.received_at).toBeInstanceOf(Date)
    })

    test("same update_id again → null, no second row, the lease untouched", async () => {
      await store(update(1002, 10, { n: 1 }))
      const lease = await leaseOf(db(), 10)
      expect(await store(update(1002, 10, { n: 2 }), "b")).toBeNull()
      const rows = await db().selectFrom("update_inbox").selectAll().where("update_id", "=", 1002).execute()
      expect(rows.map((r) => r.payload)).toEqual([{ n: 1 }])
      expect(await leaseOf(db(), 10)).toEqual(lease)
    })

    test("many updates racing, each update_id twice → one row per update_id, one id each", async () => {
      const ids = [2001, 2002, 2003, 2004, 2005]
      const results = await Promise.all([...ids, ...ids].map((u) => store(update(u, 11))))
      const stored = results.filter((r) => r !== null).map((r) => r.id)
      expect(stored).toHaveLength(ids.length)
      expect(new Set(stored).size).toBe(ids.length)
      expect(await countBacklog(db())).toBe(ids.length)
    })

    test("payload with Cyrillic, quotes, backslashes, null and arrays → stored as an equal jsonb object", async () => {
      const payload = { t: "Ёжик «в тумане» — 😀", a: 'he said "hi"\\n', b: null, c: [1, "2", { d: true }] }
      const stored = await store(update(1004, 12, payload))
      expect((await rowOf(db(), stored!.id)).payload).toEqual(payload)
      const kind = await sql<{ t: string }>`select jsonb_typeof(payload) as t from update_inbox where id = ${
        stored!.id
      }`.execute(db())
      expect(kind.rows[0]!.t).toBe("object")
    })

    test("chat and update ids beyond 2^31 → stored and read back as the same numbers", async () => {
      const stored = await store(update(9_000_000_001, -1_001_234_567_890))
      const row = await rowOf(db(), stored!.id)
      expect(row.update_id).toBe(9_000_000_001)
      expect(row.chat_id).toBe(-1_001_234_567_890)
      expect(stored!.head?.next.chat_id).toBe(-1_001_234_567_890)
    })

    test("two events (update_id null) → both stored as 'event' rows, in order", async () => {
      const event = (n: number): NewRow => ({
        chatId: 20,
        updateId: null,
        kind: "event",
        payload: { n },
        userId: 20,
      })
      const a = await store(event(1))
      const b = await store(event(2))
      expect(b!.id).toBeGreaterThan(a!.id)
      expect(await rowOf(db(), b!.id)).toMatchObject({ update_id: null, kind: "event", payload: { n: 2 } })
    })
  })

  describe("the lease", () => {
    test("free chat → the lease is ours and the head is the stored row", async () => {
      const stored = await store(update(3001, 30))
      expect((await leaseOf(db(), 30))?.owner).toBe("a")
      expect(stored!.head?.next).toEqual(await rowOf(db(), stored!.id))
    })

    test("lease held by a peer → stored, no head, the peer keeps the lease", async () => {
      await store(update(3101, 31), "peer")
      const stored = await store(update(3102, 31), "a")
      expect(stored?.head).toBeUndefined()
      expect((await leaseOf(db(), 31))?.owner).toBe("peer")
      expect(await countBacklog(db())).toBe(2)
    })

    test("lease held by this instance (its worker is running) → no head, that worker finds the row", async () => {
      await store(update(3201, 32))
      const stored = await store(update(3202, 32))
      expect(stored?.head).toBeUndefined()
      expect((await leaseOf(db(), 32))?.owner).toBe("a")
    })

    test("expired lease of a dead peer → taken over, with the head", async () => {
      await store(update(3301, 33), "dead")
      await sql`update chat_leases set expires_at = now() - interval '1 second' where chat_id = 33`.execute(
        db(),
      )
      const stored = await store(update(3302, 33), "a")
      expect((await leaseOf(db(), 33))?.owner).toBe("a")
      // The dead peer's row is older, still pending: processing starts there.
      expect(stored!.head?.next.update_id).toBe(3301)
    })

    // Two connections at once: PostgreSQL only (PGlite has one).
    test.skipIf(backend !== "postgres")(
      "a store waits for a concurrent store of the same chat, then sees its row: the head is the earlier row",
      async () => {
        let release = () => {}
        const held = new Promise<void>((resolve) => {
          release = resolve
        })
        let earlier: number | null = null
        // A store of chat 35 in flight that did not get the lease (as when a peer held it): lock taken, row written,
        // not committed yet.
        const first = db()
          .transaction()
          .execute(async (trx) => {
            await sql`select pg_advisory_xact_lock(${STORE_LOCK_NAMESPACE}::int, 35)`.execute(trx)
            earlier = await insertUpdate(trx, 3501, 35, { n: 1 })
            await held
          })
        await waitFor("the first store in flight", () => earlier !== null)
        let answered = false
        const second = store(update(3502, 35)).then((stored) => {
          answered = true
          return stored
        })
        await sleep(200)
        expect(answered).toBe(false)
        release()
        await first
        const stored = await second
        expect(stored!.id).toBeGreaterThan(earlier!)
        expect(stored!.head?.next.id).toBe(earlier!)
      },
    )

    test("an older pending row stored without the lease → the head is that row, not the new one", async () => {
      const older = await insertUpdate(db(), 3401, 34, { n: 1 })
      const stored = await store(update(3402, 34))
      expect(stored!.head?.next.id).toBe(older!)
      await markProcessed(db(), older!)
      expect((await findNextPending(db(), 34))?.id).toBe(stored!.id)
    })
  })

  describe("what processing starts from", () => {
    test("stranger in a new chat → no session, no sender, counters at their defaults", async () => {
      const stored = await store(update(4001, 40))
      expect(stored!.head?.loaded).toEqual({
        session: undefined,
        sender: undefined,
        limits: { auth: { failures: 0, lockedUntil: null }, rate: null, revoked: false },
      })
      expect(stored!.head?.userId).toBe(40)
    })

    test("the sender's counters and stored name → read in the same statement", async () => {
      await upsertRole(db(), { userId: 42, role: "user", firstName: "Лев", username: "lev" })
      await sql`insert into user_limits (user_id, login_failures, locked_until, rate, revoked)
        values (42, 3, 1700000000000, '{"minute":{"start":1,"count":2,"warned":false}}', true)`.execute(db())
      const stored = await store(update(4201, 42))
      expect(stored!.head?.loaded.sender).toMatchObject({ role: "user", username: "lev", firstName: "Лев" })
      expect(stored!.head?.loaded.limits).toEqual({
        auth: { failures: 3, lockedUntil: 1_700_000_000_000 },
        rate: { minute: { start: 1, count: 2, warned: false } },
        revoked: true,
      })
    })

    test("known user with a saved session → the session with its version, the sender's role and sign-in", async () => {
      await upsertRole(db(), { userId: 41, role: "admin", firstName: "Анна", username: null })
      const first = await store(update(4101, 41))
      await saveReduction(db(), {
        rowId: first!.id,
        chatId: 41,
        state: { screen: "menu" },
        expectedVersion: 0,
        commands: [],
      })
      await markProcessed(db(), first!.id)
      await sql`delete from chat_leases`.execute(db())
      const stored = await store(update(4102, 41))
      expect(stored!.head?.loaded.session).toEqual({ state: { screen: "menu" }, version: 1 })
      expect(stored!.head?.loaded.sender?.role).toBe("admin")
      expect(stored!.head?.loaded.sender?.since).toBeInstanceOf(Date)
    })
  })
})
