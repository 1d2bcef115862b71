import { describe, expect, setDefaultTimeout, test } from "bun:test"
import type { Update } from "grammy/types"
import postgres from "postgres"
import { STORE_LOCK_NAMESPACE } from "../../db/migrations/0007_store_inbox_row"
import { authTexts } from "../../src/auth/texts"
import { testEnv, WEBHOOK_SECRET } from "../support/harness"
import { useProcessFixture } from "../support/process-fixture"
import { textUpdate } from "../support/updates"
import { waitFor } from "../support/wait"

setDefaultTimeout(90_000)

const CHAT = 823

const post = (port: unknown, update: Update) =>
  fetch(`http://127.0.0.1:${port}/webhook`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": WEBHOOK_SECRET },
    body: JSON.stringify(update),
  }).then((r) => r.status)

// PostgreSQL only: the lock is held from a connection of another process, and an embedded database has one
// instance, which takes every lease back at its next start anyway.
describe.skipIf(!process.env.TEST_DATABASE_URL)(
  "a deploy while an update's store is in flight (a real process)",
  () => {
    const fx = useProcessFixture()

    /**
     * An instance whose store of `update` waits on the chat's store lock (migration 0007), held from outside, when
     * SIGTERM arrives; `release` lets the statement land.
     */
    const storeHeldAtShutdown = async (update: Update) => {
      const tg = await fx.botApi()
      const database = await fx.database("postgres")
      const env = { ...testEnv(tg, database, "webhook"), LOG_LEVEL: "info", SHUTDOWN_TIMEOUT_SEC: "20" }
      const first = fx.spawn(env)
      const { webhookPort } = await first.waitForLog("bot started")
      tg.acceptIncoming(update)
      const locker = postgres(database.env.DATABASE_URL!, { max: 1, onnotice: () => {} })
      fx.onTeardown(() => locker.end())
      await locker`select pg_advisory_lock(${STORE_LOCK_NAMESPACE}, ${CHAT})`
      const answer = post(webhookPort, update)
      await waitFor("the store waiting on the lock", async () => {
        const [row] =
          await locker`select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted`
        return row!.n > 0
      })
      first.proc.kill("SIGTERM")
      await first.waitForLog("shutting down")
      const release = () => locker`select pg_advisory_unlock(${STORE_LOCK_NAMESPACE}, ${CHAT})`
      const liveLeases = () =>
        locker`select owner from chat_leases where chat_id = ${CHAT} and expires_at > now()`
      return { tg, env, first, answer, release, liveLeases }
    }

    /** The next instance, with Telegram delivering the update again (it was answered 503, or never answered). */
    const nextInstanceAnswersOnce = async (
      held: Awaited<ReturnType<typeof storeHeldAtShutdown>>,
      update: Update,
    ) => {
      const startedAt = performance.now()
      const second = fx.spawn(held.env)
      const { webhookPort } = await second.waitForLog("bot started")
      expect(await post(webhookPort, update)).toBe(200)
      await waitFor("the answer", () => held.tg.chat(CHAT).length >= 1, 10_000)
      // Well within the 30 s a lease left behind would hold the chat.
      expect(performance.now() - startedAt).toBeLessThan(15_000)
      await Bun.sleep(1000)
      expect(held.tg.chat(CHAT).map((m) => m.text)).toEqual([authTexts.askPassword])
    }

    test("the store lands early in the drain → 200, its lease back before exit, answered once by the next instance", async () => {
      const update = textUpdate("/start", { chatId: CHAT, userId: CHAT, updateId: 7000 })
      const held = await storeHeldAtShutdown(update)
      await Bun.sleep(300)
      await held.release()
      expect(await held.answer).toBe(200)
      expect(await held.first.exited).toBe(0)
      expect((await held.liveLeases()).map((l) => l.owner)).toEqual([])
      expect(held.tg.chat(CHAT)).toEqual([])
      await nextInstanceAnswersOnce(held, update)
    })

    test("the store outlasts the webhook's 10 s deadline → 503, the drain waits for it, no lease left behind", async () => {
      const update = textUpdate("/start", { chatId: CHAT, userId: CHAT, updateId: 7001 })
      const held = await storeHeldAtShutdown(update)
      expect(await held.answer).toBe(503)
      // The process is still draining: it waits for the statement it started.
      await Bun.sleep(500)
      expect(held.first.proc.exitCode).toBeNull()
      await held.release()
      expect(await held.first.exited).toBe(0)
      expect((await held.liveLeases()).map((l) => l.owner)).toEqual([])
      expect(held.tg.chat(CHAT)).toEqual([])
      await nextInstanceAnswersOnce(held, update)
    })
  },
)
