import { cpus, totalmem } from "node:os"
import postgres from "postgres"
import type { FakeBotApi } from "../test/support/fake-bot-api"

export const machine = () => {
  const cpu = cpus()
  return {
    cpu: `${cpu[0]?.model ?? "?"} × ${cpu.length}`,
    memory: `${Math.round(totalmem() / 2 ** 30)} GiB`,
    os: `${process.platform} ${process.arch}`,
    bun: Bun.version,
    date: new Date().toISOString(),
  }
}

export const percentile = (xs: ReadonlyArray<number>, p: number) => {
  if (xs.length === 0) return Number.NaN
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

export const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits

/** Resolves with the arrival time (ms) of the next sendMessage to a chat; register before sending. */
export const replyWatcher = (tg: FakeBotApi, method = "sendMessage") => {
  let seen = 0
  const waiters = new Map<number, Array<(at: number) => void>>()
  const timer = setInterval(() => {
    const calls = tg.calls
    for (; seen < calls.length; seen++) {
      const call = calls[seen]!
      if (call.method !== method) continue
      const chat = Number(call.params.chat_id)
      waiters.get(chat)?.shift()?.(call.at)
    }
  }, 1)
  return {
    next: (chatId: number) =>
      new Promise<number>((resolve) => {
        const list = waiters.get(chatId) ?? []
        list.push(resolve)
        waiters.set(chatId, list)
      }),
    stop: () => clearInterval(timer),
  }
}

/** A process's resident set size now and at its highest (VmHWM) from /proc (Linux), in MiB. */
export const memoryMiB = async (pid: number): Promise<{ rss: number; peak: number }> => {
  const status = await Bun.file(`/proc/${pid}/status`).text()
  const read = (field: string) =>
    round(Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN) / 1024)
  return { rss: read("VmRSS"), peak: read("VmHWM") }
}

export const postUpdate = (port: number, secret: string, update: object) =>
  fetch(`http://127.0.0.1:${port}/webhook`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": secret },
    body: JSON.stringify(update),
  }).then((r) => r.status)

const TICKS_PER_SECOND = 100

/** CPU time (user + system, seconds) a process has used so far, from /proc (Linux). */
export const processCpu = async (pid: number | string): Promise<number> => {
  const stat = await Bun.file(`/proc/${pid}/stat`).text()
  // Fields after the command name, which may hold spaces, in parentheses: utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND
}

/** CPU time of every PostgreSQL server process on this machine (the local server the benchmark uses). */
const postgresCpu = async (): Promise<number> => {
  let total = 0
  for (const entry of new Bun.Glob("[0-9]*").scanSync({ cwd: "/proc", onlyFiles: false })) {
    const comm = await Bun.file(`/proc/${entry}/comm`)
      .text()
      .catch(() => "")
    if (comm.trim() === "postgres") total += await processCpu(entry).catch(() => 0)
  }
  return total
}

export interface CpuSample {
  readonly bot: number
  readonly postgres: number
  readonly driver: number
}

/** CPU seconds used so far by the bot under test (all its instances), PostgreSQL, and this process (load driver and fake Bot API). */
export const sampleCpu = async (botPids: ReadonlyArray<number>): Promise<CpuSample> => {
  const own = process.cpuUsage()
  let bot = 0
  for (const pid of botPids) bot += await processCpu(pid)
  return {
    bot,
    postgres: await postgresCpu(),
    driver: (own.user + own.system) / 1e6,
  }
}

/** CPU milliseconds per update for each party between two samples. */
export const cpuPerUpdate = (before: CpuSample, after: CpuSample, updates: number): CpuSample => ({
  bot: round(((after.bot - before.bot) * 1000) / updates, 3),
  postgres: round(((after.postgres - before.postgres) * 1000) / updates, 3),
  driver: round(((after.driver - before.driver) * 1000) / updates, 3),
})

export const median = (xs: ReadonlyArray<number>) => percentile(xs, 50)

/**
 * Transaction ids handed out so far on the local PostgreSQL server: one per transaction that wrote something
 * (a read-only statement takes none). Read from the snapshot, so it is exact at once and takes no id itself.
 */
export const postgresWrites = async (): Promise<number> => {
  const url = process.env.TEST_DATABASE_URL
  if (!url) return 0
  const sql = postgres(url, { max: 1, onnotice: () => {} })
  try {
    const [row] = await sql<{ n: string }[]>`select pg_snapshot_xmax(pg_current_snapshot())::text as n`
    return Number(row?.n ?? 0)
  } finally {
    await sql.end({ timeout: 1 })
  }
}
