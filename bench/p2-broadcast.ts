import { Api } from "grammy"
import { createBroadcast } from "../src/broadcast/broadcasts.repo"
import { deliverBroadcast } from "../src/broadcast/deliver"
import { countsOf } from "../src/broadcast/recipients.repo"
import { migrateToLatest, openDatabase } from "../src/services/db"
import { addUsers, range } from "../test/broadcast/support"
import { configOf } from "../test/repositories/database"
import type { FreshDatabase } from "../test/support/database"
import { startFakeBotApi } from "../test/support/fake-bot-api"
import { round } from "./support"

/** P2: a broadcast to 3,000 users against the fake Bot API that enforces 30 msg/s. */
export const runP2 = async (database: FreshDatabase, recipients = 3000) => {
  const tg = await startFakeBotApi()
  tg.setRateLimit(30)
  const db = await openDatabase(configOf(database))
  await migrateToLatest(db)
  await addUsers(db, range(8_000_001, recipients))
  const { broadcast } = await createBroadcast(db, { createdBy: 1, html: "Новости 📣", audience: "all" })
  const api = new Api("123:bench", { apiRoot: tg.url })
  const started = performance.now()
  const result = await deliverBroadcast({
    db,
    broadcastId: broadcast.id,
    send: async (chatId, html, paced) => {
      await paced()
      await api.sendMessage(chatId, html, { parse_mode: "HTML" })
    },
  })
  const seconds = (performance.now() - started) / 1000
  const per = new Map<number, number>()
  for (const c of tg.callsOf("sendMessage"))
    if (c.status === 200) per.set(Number(c.params.chat_id), (per.get(Number(c.params.chat_id)) ?? 0) + 1)
  const counts = await countsOf(db, broadcast.id)
  await db.destroy()
  await tg.stop()
  return {
    recipients,
    rate: round(counts.sent / seconds),
    seconds: round(seconds),
    rateLimited: tg.callsOf("sendMessage").filter((c) => c.status === 429).length,
    duplicates: [...per.values()].filter((n) => n > 1).length,
    lost: recipients - per.size,
    outcome: result.outcome,
  }
}
