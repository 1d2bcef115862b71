import { describe, expect, setDefaultTimeout, test } from "bun:test"
import type { Update } from "grammy/types"
import postgres from "postgres"
import { STORE_LOCK_NAMESPACE } from "../../db/migrations/0007_store_inbox_row"
import { authTexts } from "../../src/auth/texts"
import { findCase } from "../../src/cases/registry"
import { visibleText } from "../../src/core/html"
import { requestsNamed, scriptRoleplay } from "../support/ai-script"
import { startFakeOpenAi } from "../support/fake-openai"
import { testEnv, WEBHOOK_SECRET } from "../support/harness"
import type { BotProcess } from "../support/process"
import { useProcessFixture } from "../support/process-fixture"
import { processLearner } from "../support/process-learner"
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
     * `bot`'s store of `update` waits on the chat's store lock (migration 0007), held from outside, when SIGTERM
     * arrives; `release` lets the statement land; `answer` is the webhook's.
     */
    const holdStoreThenStop = async (databaseUrl: string, bot: BotProcess, port: number, update: Update) => {
      const locker = postgres(databaseUrl, { max: 1, onnotice: () => {} })
      fx.onTeardown(() => locker.end())
      await locker`select pg_advisory_lock(${STORE_LOCK_NAMESPACE}, ${CHAT})`
      const answer = post(port, update)
      await waitFor("the store waiting on the lock", async () => {
        const [row] =
          await locker`select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted`
        return row!.n > 0
      })
      bot.proc.kill("SIGTERM")
      await bot.waitForLog("shutting down")
      const release = () => locker`select pg_advisory_unlock(${STORE_LOCK_NAMESPACE}, ${CHAT})`
      return { locker, answer, release }
    }

    /** A bot without AI whose store of `update` is held when it is stopped (holdStoreThenStop). */
    const storeHeldAtShutdown = async (update: Update) => {
      const tg = await fx.botApi()
      const database = await fx.database("postgres")
      const env = { ...testEnv(tg, database, "webhook"), LOG_LEVEL: "info", SHUTDOWN_TIMEOUT_SEC: "20" }
      const first = fx.spawn(env)
      const { webhookPort } = await first.waitForLog("bot started")
      tg.acceptIncoming(update)
      const held = await holdStoreThenStop(database.env.DATABASE_URL!, first, Number(webhookPort), update)
      const liveLeases = () =>
        held.locker`select owner from chat_leases where chat_id = ${CHAT} and expires_at > now()`
      return { tg, env, first, answer: held.answer, release: held.release, liveLeases }
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

    test("a learner's line, with the AI work its step starts, stored during the drain → the work is given back too; the next instance answers at once", async () => {
      const spec = findCase("fb_employee")!
      const tg = await fx.botApi()
      const ai = startFakeOpenAi()
      fx.onTeardown(() => ai.stop())
      scriptRoleplay(ai, spec, [])
      const database = await fx.database("postgres")
      const env = { ...testEnv(tg, database, "webhook", ai), LOG_LEVEL: "info", SHUTDOWN_TIMEOUT_SEC: "20" }
      let port = 0
      const first = fx.spawn(env)
      port = Number((await first.waitForLog("bot started")).webhookPort)
      const learner = processLearner(tg, () => port, CHAT)
      await learner.signIn((t) => t.startsWith("👋 Привет"))
      await learner.send(`/${spec.commands.start}`)
      await learner.waitForTexts("the case's algorithm", (t) => t === visibleText(spec.texts.algorithm))
      const personaLines = () =>
        learner
          .screen()
          .filter((m) => (m.text ?? "").startsWith(`${spec.persona.emoji} ${spec.persona.name}:`))

      // The chat's lease goes back once its last step is done (parked-leases.ts): its next line is then reduced at
      // receipt, and its step saved with the AI work by the statement that stores it.
      await Bun.sleep(500)
      const line = textUpdate("Давай обсудим сроки отчёта.", {
        chatId: CHAT,
        userId: CHAT,
        firstName: "Аня",
        updateId: 7100,
        messageId: tg.nextUserMessageId(CHAT),
      })
      tg.acceptIncoming(line)
      const { locker, answer, release } = await holdStoreThenStop(
        database.env.DATABASE_URL!,
        first,
        port,
        line,
      )
      // The drain is under way (any work here already given back) when the statement lands and writes the work.
      await Bun.sleep(1500)
      await release()
      expect(await answer).toBe(200)
      expect(await first.exited).toBe(0)
      // The late store saved the line's step with its work; neither the chat nor the work stays leased.
      const live = await locker`
        select 'chat' as what from chat_leases where chat_id = ${CHAT} and expires_at > now()
        union all select 'work' from background_work where chat_id = ${CHAT} and expires_at > now()`
      // The path this test is about: the step was reduced at receipt and saved by the late store, with its work.
      const [stored] = await locker`select reduced_at from update_inbox where update_id = ${line.update_id}`
      expect(stored?.reduced_at).not.toBeNull()
      expect(live.map((r) => r.what)).toEqual([])
      expect(personaLines()).toEqual([])

      const startedAt = performance.now()
      const second = fx.spawn(env)
      port = Number((await second.waitForLog("bot started")).webhookPort)
      await learner.waitForTexts("the persona's answer", (t) => t.startsWith(spec.persona.emoji))
      // Well within the 10 s a work lease left behind would hold the work.
      expect(performance.now() - startedAt).toBeLessThan(8_000)
      await Bun.sleep(1500)
      expect(personaLines()).toHaveLength(1)
      expect(requestsNamed(ai, "persona_reply")).toHaveLength(1)
    })

    test("SIGTERM while the orphan sweep waits on the database → the stop waits for it, exit 0 (no rejection unheard)", async () => {
      const tg = await fx.botApi()
      const database = await fx.database("postgres")
      const env = { ...testEnv(tg, database, "webhook"), LOG_LEVEL: "info", SHUTDOWN_TIMEOUT_SEC: "20" }
      const bot = fx.spawn(env)
      await bot.waitForLog("bot started")
      // Held from outside in a transaction: every statement on the inbox waits, the 2 s sweep's among them.
      const locker = postgres(database.env.DATABASE_URL!, { max: 2, onnotice: () => {} })
      fx.onTeardown(() => locker.end())
      const reserved = await locker.reserve()
      await reserved`begin`
      await reserved`lock table update_inbox in access exclusive mode`
      await waitFor(
        "the sweep waiting on the lock",
        async () => {
          const [row] =
            await locker`select count(*)::int as n from pg_locks where relation = 'update_inbox'::regclass and not granted`
          return row!.n > 0
        },
        10_000,
      )
      bot.proc.kill("SIGTERM")
      await bot.waitForLog("shutting down")
      await Bun.sleep(1000)
      await reserved`rollback`
      reserved.release()
      expect(await bot.exited).toBe(0)
      expect(bot.lines.some((l) => l.includes("bot stopped"))).toBe(true)
    })
  },
)
