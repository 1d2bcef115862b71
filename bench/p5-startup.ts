import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { FreshDatabase } from "../test/support/database"
import { startFakeBotApi } from "../test/support/fake-bot-api"
import { testEnv } from "../test/support/harness"
import { spawnBot } from "../test/support/process"
import { closedLoop } from "./load"
import { memoryMiB, replyWatcher, round } from "./support"

export interface StartupResult {
  readonly coldStartMs: number
  /** VmHWM of the bot process: the most it ever held, start-up included. */
  readonly peakMiB: number
  /** VmRSS after 5 s idle. */
  readonly idleMiB: number
  /** How the embedded data directory came to be (PGlite only): a copy of the prepared template, or initdb. */
  readonly seeded?: string
}

/** One start (spawn → /ready answers 200), then 5 s idle; the process's memory read from /proc. */
const measureStart = async (env: Readonly<Record<string, string>>): Promise<StartupResult> => {
  const tg = await startFakeBotApi()
  const startedAt = performance.now()
  const bot = spawnBot({
    ...testEnv(tg, { backend: "pglite", env, drop: async () => {} }, "webhook"),
    LOG_LEVEL: "info",
  })
  const ready = await bot.waitForLog("database ready", 120_000)
  const started = await bot.waitForLog("bot started", 60_000)
  const url = `http://127.0.0.1:${started.metricsPort}/ready`
  while (
    (await fetch(url).then(
      (r) => r.status,
      () => 0,
    )) !== 200
  )
    await Bun.sleep(5)
  const coldStartMs = round(performance.now() - startedAt, 0)
  await Bun.sleep(5000)
  const { peak, rss } = await memoryMiB(bot.proc.pid)
  bot.proc.kill("SIGTERM")
  await bot.exited
  await tg.stop()
  return {
    coldStartMs,
    peakMiB: peak,
    idleMiB: rss,
    ...(ready.seeded ? { seeded: String(ready.seeded) } : {}),
  }
}

/** P5 on PostgreSQL: the bot against a fresh database. */
export const runP5Postgres = (database: FreshDatabase) => measureStart(database.env)

/**
 * P5 on the embedded default: the first start on an empty DATA_DIR (what a new deployment does), then a restart
 * on the same directory.
 */
export const runP5Embedded = async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "emco-p5-"))
  try {
    const first = await measureStart({ DATA_DIR: dataDir })
    const restart = await measureStart({ DATA_DIR: dataDir })
    return { first, restart }
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
}

export interface BurstsResult {
  /** VmHWM over both bursts (start-up included). */
  readonly peakMiB: number
  /** VmRSS 30 s after the second burst was answered. */
  readonly idleMiB: number
}

const BURST = 3000

/**
 * The embedded default under two bursts of updates from new chats, 30 s apart (32 senders, each waiting for its
 * reply), on a fresh DATA_DIR: what a small container must hold. The second burst after a pause is the one that
 * grew the heap past 500 MiB before the memory guard (src/lib/memory-guard.ts).
 */
export const runP5Bursts = async (): Promise<BurstsResult> => {
  const dataDir = mkdtempSync(join(tmpdir(), "emco-p5-bursts-"))
  const tg = await startFakeBotApi()
  const bot = spawnBot({
    ...testEnv(tg, { backend: "pglite", env: { DATA_DIR: dataDir }, drop: async () => {} }, "webhook"),
    LOG_LEVEL: "info",
    AUTH_PASSWORD_USER: "",
    AUTH_PASSWORD_ADMIN: "",
  })
  try {
    const port = Number((await bot.waitForLog("bot started", 120_000)).webhookPort)
    const watcher = replyWatcher(tg)
    const sending = { watcher, portOf: () => port, text: "ping" }
    for (const first of [1_000_000, 2_000_000]) {
      await Bun.sleep(30_000)
      let sent = 0
      // closedLoop runs for a time; the burst is a count: loops of 0.5 s until that many were answered.
      while (sent < BURST) sent += await closedLoop(sending, first + sent, 500)
    }
    await Bun.sleep(30_000)
    watcher.stop()
    const { peak, rss } = await memoryMiB(bot.proc.pid)
    return { peakMiB: peak, idleMiB: rss }
  } finally {
    bot.proc.kill("SIGTERM")
    await bot.exited
    await tg.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}
