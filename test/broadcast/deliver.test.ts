import { afterAll, beforeAll, beforeEach, describe, expect, setDefaultTimeout, test } from "bun:test"
import { Api } from "grammy"
import { sql } from "kysely"
import {
  type BroadcastCounts,
  cancelBroadcast,
  createBroadcast,
  findBroadcast,
} from "../../src/broadcast/broadcasts.repo"
import { type BroadcastSend, deliverBroadcast } from "../../src/broadcast/deliver"
import { countsOf, INTERRUPTED } from "../../src/broadcast/recipients.repo"
import { BROADCAST_RATE, Pacer, pacerFor } from "../../src/lib/send-pacer"
import { makeMetrics } from "../../src/services/metrics"
import { createApi } from "../../src/services/telegram"
import { useRepositoryDatabase } from "../repositories/database"
import { backends } from "../support/database"
import { type FakeBotApi, startFakeBotApi } from "../support/fake-bot-api"
import { addUsers, clearBroadcasts, range } from "./support"

setDefaultTimeout(120_000)

let fake: FakeBotApi
let api: Api
beforeAll(async () => {
  fake = await startFakeBotApi()
  api = new Api("123:broadcast", { apiRoot: fake.url })
})
afterAll(async () => {
  await fake.stop()
})

/** The adapter the app would pass: plain grammY (no auto-retry), so 429s reach the pacer. */
const send: BroadcastSend = async (chatId, html, paced) => {
  await paced()
  await api.sendMessage(chatId, html, { parse_mode: "HTML" })
}

/** Successful sendMessage calls per chat id. */
const deliveredPerChat = () => {
  const per = new Map<number, number>()
  for (const c of fake.callsOf("sendMessage")) {
    if (c.status !== 200) continue
    const id = Number(c.params.chat_id)
    per.set(id, (per.get(id) ?? 0) + 1)
  }
  return per
}
const rateLimitedCalls = () => fake.callsOf("sendMessage").filter((c) => c.status === 429).length
/** The most sendMessage calls that reached the fake within one second. */
const fullestSecond = () => {
  const times = fake.callsOf("sendMessage").map((c) => c.at)
  return Math.max(...times.map((t) => times.filter((u) => u >= t && u - t < 1000).length))
}

for (const backend of backends) {
  describe(`deliverBroadcast (${backend})`, () => {
    const db = useRepositoryDatabase(backend)
    beforeEach(async () => {
      fake.reset()
      await clearBroadcasts(db())
    })

    test("300 recipients at 30 msg/s: each exactly once, no 429 storm, blocked chats marked", async () => {
      const ids = range(1_000_001, 300)
      await addUsers(db(), ids)
      fake.setRateLimit(30)
      fake.blockChat(ids[10]!)
      fake.blockChat(ids[200]!)
      const { broadcast } = await createBroadcast(db(), {
        createdBy: 1,
        html: "<b>Новость</b>",
        audience: "all",
      })
      const progress: BroadcastCounts[] = []
      const started = Date.now()
      const result = await deliverBroadcast({
        db: db(),
        send,
        broadcastId: broadcast.id,
        progressEveryMs: 1000,
        onProgress: async (c) => {
          progress.push(c)
        },
      })
      const seconds = (Date.now() - started) / 1000
      expect(result).toMatchObject({
        outcome: "done",
        total: 300,
        sent: 298,
        blocked: 2,
        failed: 0,
        pending: 0,
      })
      const per = deliveredPerChat()
      expect(per.size).toBe(298)
      expect([...per.values()].every((n) => n === 1)).toBe(true)
      expect(per.has(ids[10]!)).toBe(false)
      expect(rateLimitedCalls()).toBeLessThanOrEqual(2)
      expect(seconds).toBeGreaterThan(9) // paced: 300 / 28 ≈ 10.7 s
      expect(progress.length).toBeGreaterThanOrEqual(5)
      expect(progress.at(-1)).toMatchObject({ sent: 298, blocked: 2, pending: 0 })
      const blocked = await db()
        .selectFrom("broadcast_recipients")
        .select(["user_id", "error"])
        .where("state", "=", "blocked")
        .orderBy("user_id")
        .execute()
      expect(blocked.map((r) => [Number(r.user_id), r.error])).toEqual([
        [ids[10]!, "403: bot was blocked by the user"],
        [ids[200]!, "403: bot was blocked by the user"],
      ])
      const done = await findBroadcast(db(), broadcast.id)
      expect(done?.status).toBe("done")
      expect(done?.finished_at).toBeInstanceOf(Date)
      // A second run has nothing left to do.
      const again = await deliverBroadcast({ db: db(), send, broadcastId: broadcast.id })
      expect(again.outcome).toBe("done")
      expect(fake.callsOf("sendMessage").filter((c) => c.status === 200).length).toBe(298)
    })

    test("a recipient's mark that stalls draws no 429: the sends after it do not catch up into one second", async () => {
      const ids = range(1_000_001, 36)
      await addUsers(db(), ids)
      // The fake admits one more than the pace: it counts arrivals, which a loaded machine bunches by a few
      // milliseconds; the pace itself is measured where the bot starts each send (`started`), to the millisecond.
      fake.setRateLimit(11)
      const { broadcast } = await createBroadcast(db(), { createdBy: 1, html: "Новость", audience: "all" })
      let stall: Promise<unknown> = Promise.resolve()
      let stalledFrom = 0
      const started = new Map<number, number>()
      // 30 ms after the 10th send (slots are 100 ms apart at 10/s), a transaction holds the 11th recipient's row
      // (PostgreSQL) or the only connection (PGlite) for 250 ms: the 11th mark stalls between its slot and its send.
      const stallingSend: BroadcastSend = async (chatId, html, paced) => {
        if (chatId === ids[9])
          setTimeout(() => {
            stalledFrom = Date.now()
            stall = db()
              .transaction()
              .execute(async (trx) => {
                await sql`select 1 from broadcast_recipients where user_id = ${ids[10]!} for update`.execute(
                  trx,
                )
                await Bun.sleep(250) // not pg_sleep: PGlite would block the whole event loop, timers included
              })
          }, 30)
        await send(chatId, html, async () => {
          await paced()
          started.set(chatId, Date.now())
        })
      }
      const result = await deliverBroadcast({
        db: db(),
        send: stallingSend,
        broadcastId: broadcast.id,
        ratePerSecond: 10,
      })
      await stall
      // The stall fell where meant: after the 10th recipient was marked sent, and it held the 11th send back.
      const tenth = await db()
        .selectFrom("broadcast_recipients")
        .select("sent_at")
        .where("user_id", "=", ids[9]!)
        .executeTakeFirstOrThrow()
      expect(tenth.sent_at!.getTime()).toBeLessThanOrEqual(stalledFrom)
      expect(started.get(ids[10]!)! - started.get(ids[9]!)!).toBeGreaterThanOrEqual(200)
      expect(result).toMatchObject({ outcome: "done", sent: 36, failed: 0, rateLimited: 0 })
      expect(rateLimitedCalls()).toBe(0)
      // After the stall the sends do not catch up: never more than the pace's 10 started within a second (950 ms
      // here: a start is stamped when its wait resumes, which a busy event loop may delay; a catch-up is back-to-back).
      const starts = [...started.values()]
      const fullest = Math.max(...starts.map((t) => starts.filter((u) => u >= t && u - t < 950).length))
      expect(fullest).toBeLessThanOrEqual(10)
      expect([...deliveredPerChat().values()].every((n) => n === 1)).toBe(true)
    })

    test("two broadcasts at once share the bot's pacer: together at most 30 sends in any second", async () => {
      const ids = range(1_000_001, 45)
      await addUsers(db(), ids)
      // No limit at the fake: what the bot sends is measured, not what a 429 and its pause let through.
      const first = await createBroadcast(db(), { createdBy: 1, html: "Первая", audience: "all" })
      const second = await createBroadcast(db(), { createdBy: 1, html: "Вторая", audience: "all" })
      const pacer = new Pacer(BROADCAST_RATE)
      const results = await Promise.all(
        [first, second].map(({ broadcast }) =>
          deliverBroadcast({ db: db(), send, broadcastId: broadcast.id, pacer }),
        ),
      )
      for (const result of results) expect(result).toMatchObject({ outcome: "done", sent: 45 })
      // Each paced on its own: ~58 in the fullest second. One or two over 30 is a loaded machine delaying a
      // request past the pacer's 20 ms slack.
      expect(fullestSecond()).toBeLessThanOrEqual(32)
      expect([...deliveredPerChat().values()].every((n) => n === 2)).toBe(true)
    })

    test("the bot's replies meanwhile count: with them, at most 30 sends in any second", async () => {
      const token = `124:replies-${backend}`
      const ids = range(1_000_001, 60)
      await addUsers(db(), ids)
      const { broadcast } = await createBroadcast(db(), { createdBy: 1, html: "Новость", audience: "all" })
      // The bot's own client (as the chats' workers use it), posting a reply every 100 ms to other chats.
      const bot = createApi(token, fake.url, makeMetrics())
      let replies = 0
      const replying = setInterval(() => {
        replies += 1
        void bot.sendMessage(2_000_000 + replies, "Ответ")
      }, 100)
      const result = await deliverBroadcast({
        db: db(),
        send,
        broadcastId: broadcast.id,
        pacer: pacerFor(token),
      })
      clearInterval(replying)
      await Bun.sleep(200)
      expect(result).toMatchObject({ outcome: "done", sent: 60 })
      expect(replies).toBeGreaterThan(10)
      expect(fullestSecond()).toBeLessThanOrEqual(32) // replies not counted: ~40
    })

    test("people talking to the bot get room: after a first burst of replies, later bursts find the second free", async () => {
      const token = `125:bursts-${backend}`
      const ids = range(1_000_001, 150)
      await addUsers(db(), ids)
      fake.setRateLimit(30)
      const { broadcast } = await createBroadcast(db(), { createdBy: 1, html: "Новость", audience: "all" })
      const bot = createApi(token, fake.url, makeMetrics())
      const burst = (first: number) => {
        for (let i = 0; i < 10; i++) void bot.sendMessage(first + i, "Ответ")
      }
      const bursts = [1000, 2500, 4000].map((ms, k) => setTimeout(() => burst(3_000_000 + k * 100), ms))
      const result = await deliverBroadcast({
        db: db(),
        send,
        broadcastId: broadcast.id,
        pacer: pacerFor(token),
      })
      for (const timer of bursts) clearTimeout(timer)
      await Bun.sleep(1500) // the first burst's retries
      expect(result).toMatchObject({ outcome: "done", sent: 150 })
      expect(result.rateLimited).toBeLessThanOrEqual(2)
      // The first burst meets a full second (nothing can know it ahead); the two after it find room (without it,
      // most of their twenty replies drew a 429).
      const refused = fake.callsOf("sendMessage").filter((c) => c.status === 429)
      expect(refused.filter((c) => Number(c.params.chat_id) >= 3_000_100).length).toBeLessThanOrEqual(2)
      expect(
        fake.callsOf("sendMessage").filter((c) => c.status === 200 && Number(c.params.chat_id) >= 3_000_000),
      ).toHaveLength(30)
    })

    test("429 pauses and retries the same recipient; 5xx retried up to 3 attempts; other 400 fails", async () => {
      await addUsers(db(), [11, 12, 13, 14])
      const { broadcast } = await createBroadcast(db(), { createdBy: 1, html: "x", audience: "all" })
      let n = 0
      const calls: number[] = []
      const scripted: BroadcastSend = async (chatId, html, paced) => {
        calls.push(chatId)
        n += 1
        if (n === 1) fake.failNext("sendMessage", { status: 429, retryAfter: 1 })
        if (chatId === 12 && calls.filter((c) => c === 12).length === 1)
          fake.failNext("sendMessage", { status: 502 })
        if (chatId === 13) fake.failNext("sendMessage", { status: 500 })
        if (chatId === 14)
          fake.failNext("sendMessage", { status: 400, description: "Bad Request: chat not found" })
        await send(chatId, html, paced)
      }
      const started = Date.now()
      const result = await deliverBroadcast({
        db: db(),
        send: scripted,
        broadcastId: broadcast.id,
        retryBackoffMs: 50,
      })
      expect(Date.now() - started).toBeGreaterThanOrEqual(950) // the 429's retry_after
      expect(result).toMatchObject({
        outcome: "done",
        sent: 2,
        failed: 2,
        blocked: 0,
        pending: 0,
        rateLimited: 1,
      })
      expect(calls).toEqual([11, 11, 12, 12, 13, 13, 13, 14])
      const rows = await db()
        .selectFrom("broadcast_recipients")
        .select(["user_id", "state", "attempts", "error"])
        .orderBy("user_id")
        .execute()
      expect(rows.map((r) => [Number(r.user_id), r.state, r.attempts, r.error])).toEqual([
        [11, "sent", 1, null],
        [12, "sent", 2, null],
        [13, "failed", 3, "500: Internal Server Error"],
        [14, "failed", 1, "400: chat not found"],
      ])
    })

    test("aborted mid-way, a new delivery resumes without duplicates", async () => {
      const ids = range(2_000_001, 120)
      await addUsers(db(), ids)
      fake.setRateLimit(30)
      const { broadcast } = await createBroadcast(db(), { createdBy: 1, html: "resume", audience: "all" })
      const controller = new AbortController()
      let sent = 0
      const abortingSend: BroadcastSend = async (chatId, html, paced) => {
        await send(chatId, html, paced)
        if (++sent === 40) controller.abort()
      }
      const first = await deliverBroadcast({
        db: db(),
        send: abortingSend,
        broadcastId: broadcast.id,
        signal: controller.signal,
      })
      expect(first.outcome).toBe("aborted")
      expect(first.sent).toBe(40)
      expect(first.pending).toBe(80)
      expect((await findBroadcast(db(), broadcast.id))?.status).toBe("sending")

      const second = await deliverBroadcast({ db: db(), send, broadcastId: broadcast.id })
      expect(second).toMatchObject({ outcome: "done", sent: 120, pending: 0 })
      const per = deliveredPerChat()
      expect(per.size).toBe(120)
      expect([...per.values()].every((n) => n === 1)).toBe(true)
      // In id order: the first 40 chats went out in the first run.
      const order = fake
        .callsOf("sendMessage")
        .filter((c) => c.status === 200)
        .map((c) => Number(c.params.chat_id))
      expect(order).toEqual(ids)
    })

    test("a send in flight when its deliverer died is settled as failed, never sent twice", async () => {
      const ids = range(2_500_001, 30)
      await addUsers(db(), ids)
      const { broadcast } = await createBroadcast(db(), { createdBy: 1, html: "crash", audience: "all" })
      // The 11th send reaches Telegram and then the process "dies": the promise never settles, the row stays pending.
      let sent = 0
      const dyingSend: BroadcastSend = async (chatId, html, paced) => {
        await send(chatId, html, paced)
        if (++sent === 11) await new Promise(() => undefined)
      }
      void deliverBroadcast({ db: db(), send: dyingSend, broadcastId: broadcast.id })
      await fake.waitFor("sendMessage", () => fake.callsOf("sendMessage").length === 11)
      await Bun.sleep(50)
      const settled: string[] = []
      const second = await deliverBroadcast({
        db: db(),
        send,
        broadcastId: broadcast.id,
        onSettled: (state) => void settled.push(state),
      })
      expect(second).toMatchObject({ outcome: "done", sent: 29, failed: 1, pending: 0 })
      const per = deliveredPerChat()
      expect(per.size).toBe(30)
      expect([...per.values()].every((n) => n === 1)).toBe(true)
      expect(settled.filter((x) => x === "failed")).toEqual(["failed"])
      const failed = await db()
        .selectFrom("broadcast_recipients")
        .select(["user_id", "error"])
        .where("state", "=", "failed")
        .execute()
      expect(failed.map((r) => [Number(r.user_id), r.error])).toEqual([[ids[10]!, INTERRUPTED]])
    })

    test("creating again with the same request key returns the first broadcast", async () => {
      await addUsers(db(), range(2_600_001, 3))
      const input = { createdBy: 1, html: "once", audience: "all" as const, requestKey: "chat:7:query:1" }
      const first = await createBroadcast(db(), input)
      const again = await createBroadcast(db(), input)
      expect(again).toEqual(first)
      expect(first.recipients).toBe(3)
      expect(await db().selectFrom("broadcasts").select("id").execute()).toHaveLength(1)
    })

    test("cancel stops the delivery within a progress tick; pending rows stay pending", async () => {
      const ids = range(3_000_001, 100)
      await addUsers(db(), ids)
      const { broadcast } = await createBroadcast(db(), { createdBy: 1, html: "stop", audience: "all" })
      let sent = 0
      let sentAtCancel = 0
      const cancellingSend: BroadcastSend = async (chatId, html, paced) => {
        await send(chatId, html, paced)
        if (++sent === 20) {
          await cancelBroadcast(db(), broadcast.id)
          sentAtCancel = sent
        }
      }
      const result = await deliverBroadcast({
        db: db(),
        send: cancellingSend,
        broadcastId: broadcast.id,
        progressEveryMs: 200,
      })
      expect(result.outcome).toBe("cancelled")
      expect(sentAtCancel).toBe(20)
      // At 28/s a 200 ms tick lets at most ~6 more through.
      expect(result.sent).toBeLessThanOrEqual(28)
      expect(result.pending).toBe(100 - result.sent)
      expect((await findBroadcast(db(), broadcast.id))?.status).toBe("cancelled")
      // A cancelled broadcast never starts again.
      const again = await deliverBroadcast({ db: db(), send, broadcastId: broadcast.id })
      expect(again.outcome).toBe("cancelled")
      expect(await countsOf(db(), broadcast.id)).toMatchObject({
        sent: result.sent,
        pending: 100 - result.sent,
      })
    })

    test.if(Boolean(process.env.BROADCAST_LOAD_TEST) && backend === "pglite")(
      "3,000 recipients at 30 msg/s (BROADCAST_LOAD_TEST)",
      async () => {
        const ids = range(4_000_001, 3000)
        await addUsers(db(), ids)
        fake.setRateLimit(30)
        for (const i of [5, 500, 2999]) fake.blockChat(ids[i]!)
        const { broadcast } = await createBroadcast(db(), { createdBy: 1, html: "load", audience: "all" })
        const started = Date.now()
        const result = await deliverBroadcast({ db: db(), send, broadcastId: broadcast.id })
        const seconds = (Date.now() - started) / 1000
        console.log(`3000 recipients in ${seconds.toFixed(1)} s, ${rateLimitedCalls()} × 429`)
        expect(result).toMatchObject({ outcome: "done", sent: 2997, blocked: 3, pending: 0 })
        const per = deliveredPerChat()
        expect(per.size).toBe(2997)
        expect([...per.values()].every((n) => n === 1)).toBe(true)
        expect(rateLimitedCalls()).toBeLessThanOrEqual(5)
      },
      200_000,
    )
  })
}
