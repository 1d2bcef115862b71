import type { FakeBotApi } from "../test/support/fake-bot-api"
import { WEBHOOK_SECRET } from "../test/support/harness"
import { textUpdate } from "../test/support/updates"
import {
  type CpuSample,
  cpuPerUpdate,
  percentile,
  postgresWrites,
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
  /** PostgreSQL transactions that wrote (each one a commit that waits for its WAL) per update, throughput run. */
  readonly writesPerUpdate: number
}

/** The processes under load (their CPU is counted together) and the webhook ports they listen on. */
export interface LoadTarget {
  readonly pids: ReadonlyArray<number>
  readonly ports: ReadonlyArray<number>
}

/** Where the load goes: the replies watched, the webhook port of each chat, the text every update carries. */
export interface Sending {
  readonly watcher: ReturnType<typeof replyWatcher>
  readonly portOf: (chatId: number) => number
  readonly text: string
}

/** Sends `count` updates at `rate`/s, each from a chat of its own; resolves with the reply latencies (ms). */
export const openLoop = async (
  { watcher, portOf, text }: Sending,
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
      postUpdate(portOf(chatId), WEBHOOK_SECRET, textUpdate(text, { chatId, userId: chatId }))
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

/** `senders` (32) for `ms`, each sending its next update once the last one was answered; resolves with the count. */
export const closedLoop = async (
  { watcher, portOf, text }: Sending,
  firstChat: number,
  ms: number,
  senders = 32,
) => {
  const until = Date.now() + ms
  let done = 0
  let chat = firstChat
  await Promise.all(
    Array.from({ length: senders }, async () => {
      while (Date.now() < until) {
        const chatId = ++chat
        const reply = watcher.next(chatId)
        await postUpdate(portOf(chatId), WEBHOOK_SECRET, textUpdate(text, { chatId, userId: chatId }))
        await Promise.race([reply, Bun.sleep(10_000)])
        done++
      }
    }),
  )
  return done
}

/**
 * One party's load: a warm-up at the same rate first (not measured: a fresh process runs cold, unoptimised code
 * and opens its database connections), then the open loop at `rate`/s for 10 s (latency), then a closed loop with 32
 * senders, warmed up for 5 s and measured for 5 s (throughput). Every party gets exactly the same treatment.
 */
export const measureLoad = async (
  tg: FakeBotApi,
  target: LoadTarget,
  text: string,
  firstChat: number,
): Promise<LoadResult> => {
  const watcher = replyWatcher(tg)
  const { pids, ports } = target
  // Several instances behind one webhook address: a balancer spreads the chats over them.
  const portOf = (chatId: number) => ports[chatId % ports.length]!
  const rate = 200
  const seconds = 10
  const sending = { watcher, portOf, text }
  await openLoop(sending, firstChat + 500_000, rate, rate * 3)
  const latencies = await openLoop(sending, firstChat, rate, rate * seconds)

  // Throughput: 32 senders, each waits for its reply before the next update: first 5 s unmeasured (the paths only
  // concurrency takes, such as several chats' rows in one statement, run cold at first), then 5 s.
  await closedLoop(sending, firstChat + 700_000, 5000)
  const writesBefore = await postgresWrites()
  const cpuBefore = await sampleCpu(pids)
  const measureMs = Number(process.env.BENCH_MEASURE_MS ?? 5000)
  const done = await closedLoop(sending, firstChat + 100_000, measureMs)
  const cpu = cpuPerUpdate(cpuBefore, await sampleCpu(pids), done)
  const writesPerUpdate = round(((await postgresWrites()) - writesBefore) / done, 2)
  watcher.stop()
  return {
    cpu,
    writesPerUpdate,
    throughput: round(done / (measureMs / 1000)),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    sent: rate * seconds,
    answered: latencies.length,
  }
}
