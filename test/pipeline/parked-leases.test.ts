import { describe, expect, setDefaultTimeout, test } from "bun:test"
import { Effect } from "effect"
import { parkedLeases } from "../../src/pipeline/parked-leases"
import { acquireLease } from "../../src/repositories/leases.repo"
import { DbError, type DbShape, makeDb } from "../../src/services/db"
import { makeLog } from "../../src/services/log"
import { type Db, insertUpdate, useRepositoryDatabase } from "../repositories/database"
import { backends } from "../support/database"

setDefaultTimeout(30_000)

const ME = "instance-a"
const TTL = 30_000

const leasesOf = async (db: Db) =>
  (await db.selectFrom("chat_leases").select(["chat_id", "owner"]).orderBy("chat_id").execute()).map(
    (l) => `${l.chat_id}:${l.owner}`,
  )

/**
 * The queue's parking on a real database. `between` runs after the release statement answered and before the
 * look that follows it: what a peer instance does in that moment.
 */
const setUp = (db: Db, between?: () => Promise<void>, failing = { release: false, look: false }) => {
  const real = makeDb(db, "postgres")
  const calls: string[] = []
  const logs: string[] = []
  const wrapped: DbShape = {
    ...real,
    use: (operation, run) => {
      calls.push(operation)
      if (failing.look) return Effect.fail(new DbError({ operation, cause: new Error("connection lost") }))
      return real.use(operation, run)
    },
    useLazyCommit: (operation, run) => {
      calls.push(operation)
      if (failing.release) return Effect.fail(new DbError({ operation, cause: new Error("connection lost") }))
      return real
        .useLazyCommit(operation, run)
        .pipe(Effect.tap(() => (between ? Effect.promise(between) : Effect.void)))
    },
  }
  const restarted: number[] = []
  // As the queue's start: a worker starts only when `take` lets it.
  const parking: ReturnType<typeof parkedLeases> = parkedLeases({
    db: wrapped,
    log: makeLog("warn", (line) => logs.push(line)),
    owner: ME,
    restart: (chatId) => {
      if (parking.take(chatId)) restarted.push(chatId)
    },
  })
  const park = async (...chats: number[]) => {
    for (const chat of chats) {
      expect((await acquireLease(db, chat, ME, TTL)).leased).toBe(true)
      parking.park(chat)
    }
  }
  return { parking, park, calls, logs, restarted, flush: () => Effect.runPromise(parking.flush) }
}

describe.each(backends)("parked leases (%s)", (backend) => {
  const db = useRepositoryDatabase(backend)

  test("chats finished together → given back in one statement, nothing restarted, none held", async () => {
    const { parking, park, calls, restarted, flush } = setUp(db())
    await park(1, 2, 3)
    expect(parking.held()).toBe(3)
    expect(await flush()).toBe(true)
    expect(calls).toEqual(["releaseIdle", "pendingAmong"])
    expect(await leasesOf(db())).toEqual([])
    expect(restarted).toEqual([])
    expect(parking.held()).toBe(0)
  })

  test("nothing parked → no statement at all", async () => {
    const { calls, flush } = setUp(db())
    expect(await flush()).toBe(true)
    expect(calls).toEqual([])
  })

  test("a row a peer stored while the chat was parked → lease kept, chat restarted here; the others given back", async () => {
    const { park, restarted, flush } = setUp(db())
    await park(4, 5)
    await insertUpdate(db(), 401, 4, {})
    await flush()
    expect(await leasesOf(db())).toEqual([`4:${ME}`])
    expect(restarted).toEqual([4])
  })

  test("a row a peer stored just after the release committed → found by the look that follows, restarted", async () => {
    const { park, restarted, flush } = setUp(db(), async () => {
      await insertUpdate(db(), 601, 6, {})
    })
    await park(6, 7)
    await flush()
    expect(await leasesOf(db())).toEqual([])
    expect(restarted).toEqual([6])
  })

  test("a worker wanted while the release is in flight → refused then, started once the release answered", async () => {
    let parking: ReturnType<typeof parkedLeases> | undefined
    const during: boolean[] = []
    const setup = setUp(db(), async () => {
      during.push(parking!.take(8))
    })
    parking = setup.parking
    await setup.park(8)
    await setup.flush()
    expect(during).toEqual([false])
    expect(setup.restarted).toEqual([8])
  })

  test("taken before the pass (our own next update) → never given back by it", async () => {
    const { parking, park, calls, flush } = setUp(db())
    await park(9)
    expect(parking.take(9)).toBe(true)
    await flush()
    expect(calls).toEqual([])
    expect(await leasesOf(db())).toEqual([`9:${ME}`])
  })

  test("a worker wanted while a release is in flight that then fails → started once it answers, not lost", async () => {
    const failing = { release: false, look: false }
    let parking: ReturnType<typeof parkedLeases> | undefined
    const setup = setUp(
      db(),
      async () => {
        expect(parking!.take(12)).toBe(false)
        failing.look = true
      },
      failing,
    )
    parking = setup.parking
    await setup.park(12)
    expect(await setup.flush()).toBe(false)
    expect(setup.restarted).toEqual([12])
    expect(parking.held()).toBe(0)
  })

  test("the release fails → a warning, the chats stay parked and go back on the next pass", async () => {
    const failing = { release: true, look: false }
    const { parking, park, logs, restarted, flush } = setUp(db(), undefined, failing)
    await park(10, 11)
    expect(await flush()).toBe(false)
    expect(logs.join("\n")).toContain("giving leases back failed")
    expect(await leasesOf(db())).toEqual([`10:${ME}`, `11:${ME}`])
    expect(parking.held()).toBe(2)
    failing.release = false
    expect(await flush()).toBe(true)
    expect(await leasesOf(db())).toEqual([])
    expect(restarted).toEqual([])
  })
})
