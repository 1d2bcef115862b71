import type { FreshDatabase } from "../test/support/database"
import { type FakeBotApi, startFakeBotApi } from "../test/support/fake-bot-api"
import { testEnv, WEBHOOK_SECRET } from "../test/support/harness"
import { type BotProcess, spawnBot } from "../test/support/process"
import { textUpdate } from "../test/support/updates"
import {
  type CpuSample,
  cpuPerUpdate,
  percentile,
  postUpdate,
  replyWatcher,
  round,
  sampleCpu,
} from "./support"

export interface LoadResult {
  readonly throughput: number
  readonly p50: number
  readonly p99: number
  readonly sent: number
  readonly answered: number
  /** CPU milliseconds per update during the throughput run: the bot, PostgreSQL, the load driver with the fake. */
  readonly cpu: CpuSample
}

/** Sends `count` updates at `rate`/s, each from a chat of its own; resolves with the reply latencies (ms). */
const openLoop = async (
  watcher: ReturnType<typeof replyWatcher>,
  port: number,
  text: string,
  firstChat: number,
  rate: number,
  count: number,
) => {
  const latencies: number[] = []
  const pending: Promise<void>[] = []
  const started = performance.now()
  for (let i = 0; i < count; i++) {
    const chatId = firstChat + i
    const reply = watcher.next(chatId)
    const sentAt = Date.now()
    pending.push(
      postUpdate(port, WEBHOOK_SECRET, textUpdate(text, { chatId, userId: chatId }))
        .then(() => Promise.race([reply, Bun.sleep(10_000).then(() => Number.NaN)]))
        .then((at) => void (Number.isNaN(at) || latencies.push(at - sentAt))),
    )
    const due = started + ((i + 1) * 1000) / rate
    const wait = due - performance.now()
    if (wait > 0) await Bun.sleep(wait)
  }
  await Promise.all(pending)
  return latencies
}

/**
 * A warm-up at the same rate first (not measured: a fresh process runs cold, unoptimised code and opens its
 * database connections), then the open loop at `rate`/s for 10 s (latency), then a closed loop with 32 senders
 * (throughput). Both bots get exactly the same treatment.
 */
const measure = async (
  tg: FakeBotApi,
  pid: number,
  port: number,
  text: string,
  firstChat: number,
): Promise<LoadResult> => {
  const watcher = replyWatcher(tg)
  const rate = 200
  const seconds = 10
  await openLoop(watcher, port, text, firstChat + 500_000, rate, rate * 3)
  const latencies = await openLoop(watcher, port, text, firstChat, rate, rate * seconds)

  // Throughput: 32 senders, each waits for its reply before the next update, for 5 s.
  const cpuBefore = await sampleCpu(pid)
  const until = Date.now() + 5000
  let done = 0
  let chat = firstChat + 100_000
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (Date.now() < until) {
        const chatId = ++chat
        const reply = watcher.next(chatId)
        await postUpdate(port, WEBHOOK_SECRET, textUpdate(text, { chatId, userId: chatId }))
        await Promise.race([reply, Bun.sleep(10_000)])
        done++
      }
    }),
  )
  const cpu = cpuPerUpdate(cpuBefore, await sampleCpu(pid), done)
  watcher.stop()
  return {
    cpu,
    throughput: round(done / 5),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    sent: rate * seconds,
    answered: latencies.length,
  }
}

/** P1: /help through the whole bot (PostgreSQL or PGlite) vs a bare grammY + Elysia echo bot. */
export const runP1 = async (database: FreshDatabase) => {
  const tg = await startFakeBotApi()
  const env = {
    ...testEnv(tg, database, "webhook"),
    LOG_LEVEL: "info",
    AUTH_PASSWORD_USER: "",
    AUTH_PASSWORD_ADMIN: "",
  }
  const ours: BotProcess = spawnBot(env)
  const port = Number(
    (await ours.waitForLog("bot started", 60_000).catch(() => ({ webhookPort: 0 }))).webhookPort,
  )
  const full = await measure(tg, ours.proc.pid, port, "/help", 1_000_000)
  ours.proc.kill("SIGTERM")
  await ours.exited

  const bare = Bun.spawn(["bun", "bench/bare-bot.ts"], {
    env: {
      PATH: process.env.PATH ?? "",
      BOT_TOKEN: env.BOT_TOKEN,
      TELEGRAM_API_ROOT: tg.url,
      WEBHOOK_SECRET,
      PORT: "0",
    },
    stdout: "pipe",
    stderr: "inherit",
  })
  const first = (await new Response(bare.stdout).body!.getReader().read()).value
  const barePort = Number(JSON.parse(new TextDecoder().decode(first).split("\n")[0]!).port)
  const baseline = await measure(tg, bare.pid, barePort, "ping", 3_000_000)
  bare.kill("SIGTERM")
  await bare.exited
  await tg.stop()
  return { full, baseline, ratio: round(full.throughput / baseline.throughput, 2) }
}
