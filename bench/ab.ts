/**
 * `bun bench/ab.ts <other checkout> [rounds]`: ours from this checkout (new) and from another one (base: a worktree
 * of an earlier commit, with node_modules linked), run at the same time, each behind its own fake Bot API and
 * database, under the same load (P1's warm-ups, then 16 senders each for 10 s). Printed per round: each one's
 * updates and CPU per update (its bot process, its database's PostgreSQL backends) and new ÷ base. Run side by
 * side, both see the same machine at the same moment: a shared VM's speed drifts by a third between runs, which
 * hides a change of a few per cent when the two are measured one after the other (bench/HISTORY.md).
 */
import postgres from "postgres"
import { type FreshDatabase, freshDatabase } from "../test/support/database"
import { type FakeBotApi, startFakeBotApi } from "../test/support/fake-bot-api"
import { closedLoop, openLoop } from "./load"
import { type Running, startOurs } from "./p1-pipeline"
import { processCpu, replyWatcher, round } from "./support"

const [other, roundsArg = "3"] = process.argv.slice(2)
if (!other) {
  console.error("usage: bun bench/ab.ts <other checkout> [rounds]")
  process.exit(2)
}
process.env.TEST_DATABASE_URL ??= "postgres://postgres@127.0.0.1:5432/test"
// Senders per side (AB_SENDERS, 16): the two sides together put P1's 32 on the machine.
const SENDERS = Number(process.env.AB_SENDERS ?? 16)
const admin = postgres(process.env.TEST_DATABASE_URL, { max: 1, onnotice: () => {} })

interface Side {
  readonly name: string
  readonly tg: FakeBotApi
  readonly db: FreshDatabase
  readonly bot: Running
}

const start = async (name: string, cwd: string): Promise<Side> => {
  const tg = await startFakeBotApi()
  const db = await freshDatabase("postgres")
  return { name, tg, db, bot: await startOurs(tg, db, {}, cwd) }
}

const stop = async ({ tg, db, bot }: Side) => {
  await bot.stop()
  await tg.stop()
  await db.drop()
}

// Per backend, counted from the first sample a backend is in: a total over whoever is connected at each moment
// would count an autovacuum worker's (or a closed connection's) whole life in one sample and not the other.
const backendCpu = async (side: Side) => {
  const name = new URL(side.db.env.DATABASE_URL!).pathname.slice(1)
  const rows = await admin`
    select pid from pg_stat_activity where datname = ${name} and backend_type = 'client backend'`
  const cpu = new Map<number, number>()
  for (const { pid } of rows) cpu.set(pid, await processCpu(pid).catch(() => 0))
  return cpu
}

const cpuOf = async (side: Side) => ({ bot: await processCpu(side.bot.pid), pg: await backendCpu(side) })

const pgSpent = (before: Map<number, number>, after: Map<number, number>) => {
  let total = 0
  for (const [pid, cpu] of after) total += cpu - (before.get(pid) ?? 0)
  return total
}

const round1 = async (n: number) => {
  const sides: Side[] = []
  try {
    sides.push(await start("base", other))
    sides.push(await start("new", process.cwd()))
    const sendings = sides.map((s) => ({
      watcher: replyWatcher(s.tg),
      portOf: () => s.bot.port,
      text: "ping",
    }))
    const load = (ms: number, first: number) =>
      Promise.all(sendings.map((s) => closedLoop(s, first, ms, SENDERS)))
    await Promise.all(sendings.map((s) => openLoop(s, 1_500_000, 200, 600)))
    await load(5000, 1_700_000)
    const before = await Promise.all(sides.map(cpuOf))
    const done = await load(10_000, 1_100_000)
    const after = await Promise.all(sides.map(cpuOf))
    for (const s of sendings) s.watcher.stop()
    if (done.some((d) => d === 0)) throw new Error(`round ${n}: a side answered nothing (${done.join(", ")})`)
    const per = sides.map((s, i) => ({
      name: s.name,
      updates: done[i]!,
      bot: round(((after[i]!.bot - before[i]!.bot) * 1000) / done[i]!, 3),
      pg: round((pgSpent(before[i]!.pg, after[i]!.pg) * 1000) / done[i]!, 3),
    }))
    const [b, w] = per as [(typeof per)[0], (typeof per)[0]]
    console.log(JSON.stringify({ round: n, base: b, new: w }))
    console.log(
      `round ${n}: new ÷ base — updates ${round(w.updates / b.updates, 3)}, bot CPU ${round(w.bot / b.bot, 3)}, PostgreSQL CPU ${round(w.pg / b.pg, 3)}`,
    )
  } finally {
    await Promise.all(sides.map(stop))
  }
}

for (let n = 1; n <= Number(roundsArg); n++) await round1(n)
await admin.end()
process.exit(0)
