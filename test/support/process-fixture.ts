import { afterEach } from "bun:test"
import { type Backend, freshDatabase } from "./database"
import { startFakeBotApi } from "./fake-bot-api"
import { type BotProcess, spawnBot } from "./process"

/**
 * What a real-process test starts, torn down after each test whatever happened: bot processes killed first, then
 * everything else in reverse order of start (the fake Bot API stopped, the database dropped, extra teardowns).
 */
export const useProcessFixture = () => {
  const procs: BotProcess[] = []
  const teardowns: Array<() => unknown> = []
  afterEach(async () => {
    const running = procs.splice(0)
    for (const p of running) p.proc.kill("SIGKILL")
    await Promise.all(running.map((p) => p.exited))
    for (const teardown of teardowns.splice(0).reverse()) await teardown()
  })
  const onTeardown = (teardown: () => unknown) => void teardowns.push(teardown)
  return {
    botApi: async () => {
      const tg = await startFakeBotApi()
      onTeardown(() => tg.stop())
      return tg
    },
    database: async (backend: Backend) => {
      const database = await freshDatabase(backend)
      onTeardown(() => database.drop())
      return database
    },
    spawn: (env: Record<string, string>, options?: Parameters<typeof spawnBot>[1]) => {
      const bot = spawnBot(env, options)
      procs.push(bot)
      return bot
    },
    onTeardown,
  }
}
