import { beforeEach, describe, expect, setDefaultTimeout, test } from "bun:test"
import {
  cancelBroadcast,
  createBroadcast,
  findBroadcast,
  finishBroadcast,
  listBroadcasts,
  startBroadcast,
} from "../../src/broadcast/broadcasts.repo"
import {
  claimPending,
  countsOf,
  markBlocked,
  markFailed,
  markSent,
} from "../../src/broadcast/recipients.repo"
import { useRepositoryDatabase } from "../repositories/database"
import { backends } from "../support/database"
import { addAttempt, addUsers, clearBroadcasts } from "./support"

setDefaultTimeout(120_000)

for (const backend of backends) {
  describe(`broadcasts repository (${backend})`, () => {
    const db = useRepositoryDatabase(backend)
    beforeEach(async () => {
      await clearBroadcasts(db())
      await addUsers(db(), [101, 102, 103])
      await addUsers(db(), [201, 202], "admin")
      await addAttempt(db(), 102)
      await addAttempt(db(), 201)
    })

    const recipientsOf = async (id: number) =>
      (
        await db()
          .selectFrom("broadcast_recipients")
          .select("user_id")
          .where("broadcast_id", "=", id)
          .orderBy("user_id")
          .execute()
      ).map((r) => Number(r.user_id))

    test("each audience freezes the right recipients", async () => {
      const make = (audience: "all" | "users" | "admins" | "never_completed") =>
        createBroadcast(db(), { createdBy: 201, html: "<b>hi</b>", audience })
      const all = await make("all")
      const users = await make("users")
      const admins = await make("admins")
      const never = await make("never_completed")
      expect(all.recipients).toBe(5)
      expect(await recipientsOf(all.broadcast.id)).toEqual([101, 102, 103, 201, 202])
      expect(await recipientsOf(users.broadcast.id)).toEqual([101, 102, 103])
      expect(await recipientsOf(admins.broadcast.id)).toEqual([201, 202])
      expect(await recipientsOf(never.broadcast.id)).toEqual([101, 103, 202])
      expect(never.recipients).toBe(3)
      expect(all.broadcast.status).toBe("scheduled")
      expect(typeof all.broadcast.id).toBe("number")
      expect(all.broadcast.created_by).toBe(201)
      // Later users are not added to an existing broadcast.
      await addUsers(db(), [104])
      expect(await recipientsOf(all.broadcast.id)).toEqual([101, 102, 103, 201, 202])
    })

    test("claims pending recipients in id order; marks and counts per state", async () => {
      const { broadcast } = await createBroadcast(db(), { createdBy: 201, html: "x", audience: "all" })
      const first = await claimPending(db(), broadcast.id, 2)
      expect(first.map((r) => r.user_id)).toEqual([101, 102])
      expect(first[0]!.broadcast_id).toBe(broadcast.id)
      await markSent(db(), broadcast.id, 101)
      await markBlocked(db(), broadcast.id, 102, "bot was blocked by the user")
      await markFailed(db(), broadcast.id, 103, "400: chat not found", 3)
      expect((await claimPending(db(), broadcast.id, 10)).map((r) => r.user_id)).toEqual([201, 202])
      expect(await countsOf(db(), broadcast.id)).toEqual({
        total: 5,
        pending: 2,
        sent: 1,
        failed: 1,
        blocked: 1,
      })
      // A settled row is not re-marked.
      await markFailed(db(), broadcast.id, 101, "late")
      const row = await db()
        .selectFrom("broadcast_recipients")
        .selectAll()
        .where("broadcast_id", "=", broadcast.id)
        .where("user_id", "in", [101, 103])
        .orderBy("user_id")
        .execute()
      expect(row.map((r) => [r.state, r.attempts, r.error])).toEqual([
        ["sent", 1, null],
        ["failed", 3, "400: chat not found"],
      ])
      expect(row[0]!.sent_at).toBeInstanceOf(Date)
    })

    test("a claim skips rows another transaction holds", async () => {
      const { broadcast } = await createBroadcast(db(), { createdBy: 201, html: "x", audience: "all" })
      if (backend === "pglite") return // one connection: no second transaction to race with
      await db()
        .transaction()
        .execute(async (tx) => {
          const held = await claimPending(tx, broadcast.id, 2)
          expect(held.map((r) => r.user_id)).toEqual([101, 102])
          const other = await claimPending(db(), broadcast.id, 10)
          expect(other.map((r) => r.user_id)).toEqual([103, 201, 202])
        })
    })

    test("status moves scheduled → sending → done; cancel stops and keeps pending rows", async () => {
      const a = (await createBroadcast(db(), { createdBy: 201, html: "a", audience: "users" })).broadcast
      expect(await startBroadcast(db(), a.id)).toBe(true)
      expect(await finishBroadcast(db(), a.id)).toBe(false) // still pending
      for (const id of [101, 102, 103]) await markSent(db(), a.id, id)
      expect(await finishBroadcast(db(), a.id)).toBe(true)
      const done = await findBroadcast(db(), a.id)
      expect(done?.status).toBe("done")
      expect(done?.started_at).toBeInstanceOf(Date)
      expect(done?.finished_at).toBeInstanceOf(Date)
      expect(await cancelBroadcast(db(), a.id)).toBe(false)

      const b = (await createBroadcast(db(), { createdBy: 201, html: "b", audience: "admins" })).broadcast
      expect(await cancelBroadcast(db(), b.id)).toBe(true)
      expect((await findBroadcast(db(), b.id))?.status).toBe("cancelled")
      expect(await startBroadcast(db(), b.id)).toBe(false)
      expect(await countsOf(db(), b.id)).toEqual({ total: 2, pending: 2, sent: 0, failed: 0, blocked: 0 })

      const list = await listBroadcasts(db())
      expect(list.map((x) => [x.id, x.status, x.counts.total, x.counts.sent])).toEqual([
        [b.id, "cancelled", 2, 0],
        [a.id, "done", 3, 3],
      ])
    })
  })
}
