/**
 * `bun bench/senders.ts [ours|session|durable|echo]`: one party's throughput and CPU per update with 16, 32, 64 and
 * 128 senders (5 s each, after P1's warm-ups), then 32 again. A party whose throughput still grows past P1's 32 is
 * bound by its round trips, not by the machine's CPU (bench/HISTORY.md, step 25). Needs PostgreSQL like P1.
 */
import { freshDatabase } from "../test/support/database"
import { startFakeBotApi } from "../test/support/fake-bot-api"
import { closedLoop, openLoop } from "./load"
import { PARTIES, type Party, startOurs, startPeer } from "./p1-pipeline"
import { cpuPerUpdate, replyWatcher, round, sampleCpu } from "./support"

const party = (process.argv[2] ?? "ours") as Party
if (!PARTIES.includes(party)) {
  console.error(`usage: bun bench/senders.ts [${PARTIES.join("|")}]`)
  process.exit(2)
}
process.env.TEST_DATABASE_URL ??= "postgres://postgres@127.0.0.1:5432/test"
const tg = await startFakeBotApi()
const db = await freshDatabase("postgres")
const bot = party === "ours" ? await startOurs(tg, db) : await startPeer(party, tg, db)
const sending = { watcher: replyWatcher(tg), portOf: () => bot.port, text: "ping" }
await openLoop(sending, 1_500_000, 200, 600)
await closedLoop(sending, 1_700_000, 5000)
let firstChat = 2_000_000
for (const senders of [16, 32, 64, 128, 32]) {
  const before = await sampleCpu([bot.pid])
  const done = await closedLoop(sending, firstChat, 5000, senders)
  firstChat += 200_000
  const cpu = cpuPerUpdate(before, await sampleCpu([bot.pid]), done)
  console.log(JSON.stringify({ party, senders, throughput: round(done / 5), cpu }))
}
sending.watcher.stop()
await bot.stop()
await tg.stop()
await db.drop()
process.exit(0)
