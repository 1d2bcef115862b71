/**
 * `bun run bench`: the speed and memory targets of issue 6, measured in one run on this machine, written to
 * bench/RESULTS.md. PostgreSQL is used when one answers (TEST_DATABASE_URL, or the local default), else PGlite.
 */
import { writeFileSync } from "node:fs"
import { cpus } from "node:os"
import postgres from "postgres"
import { type Backend, type FreshDatabase, freshDatabase } from "../test/support/database"
import { runP1 } from "./p1-pipeline"
import { runP2 } from "./p2-broadcast"
import { P3_TURNS, runP3P4 } from "./p3-ai"
import { runP5 } from "./p5-startup"
import { machine, round } from "./support"

const LOCAL_PG = "postgres://postgres@127.0.0.1:5432/test"
const pgAvailable = async () => {
  const url = process.env.TEST_DATABASE_URL ?? LOCAL_PG
  const sql = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => {} })
  const ok = await sql`select 1`.then(
    () => true,
    () => false,
  )
  await sql.end({ timeout: 1 })
  if (ok) process.env.TEST_DATABASE_URL = url
  return ok
}

/** Runs one benchmark on a database of its own, dropped afterwards. */
const onFreshDatabase = async <A>(backend: Backend, run: (db: FreshDatabase) => Promise<A>): Promise<A> => {
  const db = await freshDatabase(backend)
  try {
    return await run(db)
  } finally {
    await db.drop()
  }
}

const mark = (ok: boolean) => (ok ? "✅" : "❌")
const only = process.argv.slice(2)
const wanted = (name: string) => only.length === 0 || only.includes(name)

const lines: string[] = [
  "# Benchmark results",
  "",
  "Written by `bun run bench` (bench/run.ts). Ratios are what the targets are about; absolute numbers are context for this machine.",
  "",
]
const m = machine()
lines.push(
  "## Machine",
  "",
  `- CPU: ${m.cpu}`,
  `- Memory: ${m.memory}`,
  `- OS: ${m.os}`,
  `- Bun: ${m.bun}`,
  `- Run: ${m.date}`,
  "",
)

const hasPg = await pgAvailable()
const backend = hasPg ? "postgres" : "pglite"
lines.push(`Database for P1/P2: **${backend}**.`, "")

if (wanted("p1")) {
  const p1 = await onFreshDatabase(backend, runP1)
  lines.push(
    "## P1 — a non-AI update (/help) through the full pipeline vs a bare grammY + Elysia echo bot",
    "",
    "Each bot first gets a 3 s warm-up at 200 updates/s (not measured: cold JIT, connections being opened).",
    "",
    "| | throughput, updates/s (32 senders) | p50 at 200/s, ms | p99 at 200/s, ms | answered |",
    "| --- | --- | --- | --- | --- |",
    `| full bot (${backend}) | ${p1.full.throughput} | ${p1.full.p50} | ${p1.full.p99} | ${p1.full.answered}/${p1.full.sent} |`,
    `| bare grammY + Elysia | ${p1.baseline.throughput} | ${p1.baseline.p50} | ${p1.baseline.p99} | ${p1.baseline.answered}/${p1.baseline.sent} |`,
    "",
    `- Throughput ratio: **${p1.ratio}** (target ≥ 0.5) ${mark(p1.ratio >= 0.5)}`,
    `- Full bot p99 at 200 updates/s: **${p1.full.p99} ms** (target ≤ 20 ms) ${mark(p1.full.p99 <= 20)}`,
    "",
  )
  const { full, baseline } = p1
  const total = (c: typeof full.cpu) => round(c.bot + c.postgres + c.driver, 3)
  // What this machine could do with every core working for our bot and PostgreSQL, and none for the driver.
  const cores = cpus().length
  const ceiling = Math.round((cores * 1000) / (full.cpu.bot + full.cpu.postgres))
  const statements = 5
  const perStatement = round(full.cpu.postgres / statements, 3)
  const postgresVsBare = round(full.cpu.postgres / total(baseline.cpu), 0)
  const budget = round(2 * total(baseline.cpu), 2)
  const budgetStatements = Math.max(1, Math.round(budget / perStatement))
  lines.push(
    "CPU per update during the throughput run (ms; bot process, all PostgreSQL processes, the load driver with the",
    "fake Bot API):",
    "",
    "| | bot | PostgreSQL | driver + fake | total |",
    "| --- | --- | --- | --- | --- |",
    `| full bot | ${full.cpu.bot} | ${full.cpu.postgres} | ${full.cpu.driver} | ${total(full.cpu)} |`,
    `| bare bot | ${baseline.cpu.bot} | ${baseline.cpu.postgres} | ${baseline.cpu.driver} | ${total(baseline.cpu)} |`,
    "",
  )
  if (p1.ratio < 0.5)
    lines.push(
      "Why the throughput ratio misses: both runs keep this machine's CPU busy, so the ratio is close to the ratio",
      "of CPU per update (table above). The bare bot answers from memory. Ours stores the update durably before",
      "Telegram gets its 200 (a crash or a restart loses nothing) and, in the same statement, takes the chat's lease",
      "(one instance per chat, in order) and reads the chat's oldest pending row, its session and the sender's role;",
      "then it saves the new state with its commands in one version-checked statement, sends, marks the command done,",
      `releases the lease and looks once more for a peer's row: ${statements} PostgreSQL statements per update, three of them`,
      `waiting for the WAL flush. PostgreSQL's share alone (~${perStatement} ms per statement) is ${postgresVsBare}× the bare bot's`,
      "whole cost per update; with every core given to our bot and PostgreSQL and none to the load driver, this",
      `machine would top out near ${ceiling} updates/s. Half the bare bot's throughput would need the whole durable path`,
      `(bot, PostgreSQL, driver) to cost about ${budget} ms, as much as two echo replies and what PostgreSQL alone spends`,
      `on ${budgetStatements} of our ${statements} statements: out of reach for a design that stores every update before acknowledging`,
      "it. We keep those guarantees (R1–R4) rather than the ratio.",
      "",
      "What changed, each step measured with this benchmark: 13 → 5 statements per update; lazy commits for writes",
      "whose loss only repeats harmless work (docs/architecture.md, «Ленивые коммиты»); Bun's SQL client instead of Postgres.js over",
      "node:net (about a third of the client CPU per query); hot statements compiled by Kysely once (building queries",
      "had been ~30 % of the bot's CPU). On the machine of the 2026-11-25 run these took the full bot from ~690 to",
      "~1,380 updates/s. The last step (7 → 5: the update stored with the lease, the row, the session and the role)",
      "shortens every update by two round trips (P3) but stays within this benchmark's noise: the statements it",
      "removed were cheap. A CPU profile under this load is flat: about a fifth in the Effect runtime, a third in",
      "Bun's own HTTP and SQL code, the rest spread over the pipeline stages, Kysely, prom-client and grammY. Group",
      "commit (concurrent receipts in one INSERT) was tried and gained nothing measurable here, so it was not kept.",
      "What is left for a bigger load: more instances on more cores (leases keep each chat on one of them).",
      "",
    )
  console.log("P1", JSON.stringify(p1))
}

if (wanted("p2")) {
  const p2 = await onFreshDatabase(backend, runP2)
  lines.push(
    "## P2 — broadcast to 3,000 users, fake Bot API enforcing 30 msg/s",
    "",
    `- Achieved rate: **${p2.rate} msg/s** (target ≥ 29) ${mark(p2.rate >= 29)}; ${p2.seconds} s in all`,
    `- 429 answers: ${p2.rateLimited}; duplicates: ${p2.duplicates} ${mark(p2.duplicates === 0)}; lost: ${p2.lost} ${mark(p2.lost === 0)}`,
    "",
  )
  console.log("P2", JSON.stringify(p2))
}

if (wanted("p3")) {
  const { p3, p4 } = await onFreshDatabase(backend, runP3P4)
  lines.push(
    "## P3 — what the bot adds to an AI turn (fake AI answering in a fixed 500 ms)",
    "",
    `${P3_TURNS} learners, one line each, 100 ms apart, after 150 warm-up turns that are not measured. The AI's answer`,
    "is timed when the fake sent it (its own timer slack is not the bot's).",
    "",
    `- Receipt → AI request plus AI answer → sendMessage: p50 **${p3.p50} ms**, p95 **${p3.p95} ms** (target ≤ 15 ms) ${mark(p3.p95 <= 15)}; ${p3.answered}/${p3.turns} turns`,
    `  - receipt → AI request: p50 ${p3.toRequest.p50} ms, p95 ${p3.toRequest.p95} ms; AI answer → sendMessage: p50 ${p3.toReply.p50} ms, p95 ${p3.toReply.p95} ms`,
    `- Time to the first visible sign of work (chat action or draft), p95: **${p3.firstSignP95} ms** (target ≤ 300 ms) ${mark(p3.firstSignP95 <= 300)}`,
    `- The judge beside the persona (both answer in 500 ms): asked p95 **${p3.judgeStartGapP95} ms** apart; the turn waited for the judge after the persona had answered p95 **${p3.judgeExtraWaitP95} ms** (target: no wait, ≤ 5 ms) ${mark(p3.judgeExtraWaitP95 <= 5)}`,
    "",
    "On the way to the AI: the update stored with the chat's lease, its session and the sender's role in one",
    "statement that waits for the WAL flush (before Telegram gets its 200); the state that only asks the AI, committed",
    "lazily; the learner's turns today (the daily cap). On the way back: the AI's answer stored the same way, then the",
    "state with the reply, durably, before the reply is sent (docs/architecture.md, «Ленивые коммиты»). The usage row is written",
    "beside, not in between.",
    "",
    ...(p3.p95 <= 15
      ? []
      : [
          "Why it misses: each side is still three PostgreSQL round trips and two HTTP calls through the bot's one JS",
          "thread, timed in whole ms.",
          "",
        ]),
    "## P4 — 300 simultaneous AI turns, fake AI answering in 2 s",
    "",
    "Each turn is two requests (the persona and the judge) through the one limit, so the ideal counts 600.",
    "",
    `- Answered: ${p4.answered}/${p4.turns} ${mark(p4.answered === p4.turns)}; most AI requests in flight at once: ${p4.peakInFlight} (limit ${p4.limit}) ${mark(p4.peakInFlight <= p4.limit)}`,
    `- Total: **${p4.totalSeconds} s**; ideal with the limit: ${p4.idealSeconds} s ${mark(p4.totalSeconds <= p4.idealSeconds * 1.1)}`,
    "",
  )
  console.log("P3", JSON.stringify(p3), "P4", JSON.stringify(p4))
}

if (wanted("p5")) {
  lines.push(
    "## P5 — cold start to /ready and idle memory",
    "",
    "| mode | cold start, ms | idle RSS, MiB |",
    "| --- | --- | --- |",
  )
  for (const mode of hasPg ? (["postgres", "pglite"] as const) : (["pglite"] as const)) {
    const p5 = await onFreshDatabase(mode, runP5)
    lines.push(`| ${mode} | ${p5.coldStartMs} | ${p5.idleRss} |`)
    console.log("P5", mode, JSON.stringify(p5))
  }
  lines.push("")
}

writeFileSync(new URL("./RESULTS.md", import.meta.url), `${lines.join("\n")}\n`)
console.log("bench/RESULTS.md written")
process.exit(0)
