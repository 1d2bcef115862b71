import type { FreshDatabase } from "../test/support/database"
import { startFakeBotApi } from "../test/support/fake-bot-api"
import { testEnv } from "../test/support/harness"
import { spawnBot } from "../test/support/process"
import { round, rssMiB } from "./support"

/** P5: cold start (spawn → /ready answers 200) and resident memory after 5 s idle. */
export const runP5 = async (database: FreshDatabase) => {
  const tg = await startFakeBotApi()
  const startedAt = performance.now()
  const bot = spawnBot({ ...testEnv(tg, database, "webhook"), LOG_LEVEL: "info" })
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
  const idleRss = await rssMiB(bot.proc.pid)
  bot.proc.kill("SIGTERM")
  await bot.exited
  await tg.stop()
  return { coldStartMs, idleRss }
}
