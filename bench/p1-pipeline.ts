import { type FreshDatabase, freshDatabase } from "../test/support/database"
import { type FakeBotApi, startFakeBotApi } from "../test/support/fake-bot-api"
import { testEnv, WEBHOOK_SECRET } from "../test/support/harness"
import { spawnBot } from "../test/support/process"
import { type LoadResult, measureLoad } from "./load"
import { median, round } from "./support"

/** The parties of P1, each a process of its own behind the same fake Bot API, load driver and update mix. */
export const PARTIES = ["ours", "session", "durable", "echo"] as const
export type Party = (typeof PARTIES)[number]

export interface Running {
  readonly pid: number
  readonly port: number
  readonly stop: () => Promise<void>
}

const PEER_SCRIPTS: Record<Exclude<Party, "ours">, string> = {
  session: "bench/peers/session-bot.ts",
  durable: "bench/peers/durable-bot.ts",
  echo: "bench/peers/echo-bot.ts",
}

/** Ours from `cwd` (this checkout by default; bench/ab.ts passes another one), behind `tg`, on `db`. */
export const startOurs = async (
  tg: FakeBotApi,
  db: FreshDatabase,
  extra: Record<string, string> = {},
  cwd?: string,
): Promise<Running> => {
  const env = {
    ...testEnv(tg, db, "webhook"),
    LOG_LEVEL: "info",
    AUTH_PASSWORD_USER: "",
    AUTH_PASSWORD_ADMIN: "",
    ...extra,
  }
  // BENCH_PROFILE=<dir>: the bot (or a peer, startPeer) writes a CPU profile there (markdown) when it stops.
  const profile = process.env.BENCH_PROFILE
  const bot = spawnBot(env, {
    cwd,
    ...(profile ? { command: ["bun", "--cpu-prof-md", `--cpu-prof-dir=${profile}`, "src/main.ts"] } : {}),
  })
  const started = await bot.waitForLog("bot started", 60_000)
  return {
    pid: bot.proc.pid,
    port: Number(started.webhookPort),
    stop: async () => {
      bot.proc.kill("SIGTERM")
      await bot.exited
    },
  }
}

export const startPeer = async (
  party: Exclude<Party, "ours">,
  tg: FakeBotApi,
  db: FreshDatabase,
): Promise<Running> => {
  const profile = process.env.BENCH_PROFILE
  const flags = profile ? ["--cpu-prof-md", `--cpu-prof-dir=${profile}`] : []
  const proc = Bun.spawn(["bun", ...flags, PEER_SCRIPTS[party]], {
    env: {
      PATH: process.env.PATH ?? "",
      BOT_TOKEN: testEnv(tg, db, "webhook").BOT_TOKEN,
      TELEGRAM_API_ROOT: tg.url,
      WEBHOOK_SECRET,
      PORT: "0",
      DATABASE_URL: db.env.DATABASE_URL ?? "",
    },
    stdout: "pipe",
    stderr: "inherit",
  })
  const first = (await proc.stdout.getReader().read()).value
  const port = Number(JSON.parse(new TextDecoder().decode(first).split("\n")[0]!).port)
  return {
    pid: proc.pid,
    port,
    stop: async () => {
      proc.kill("SIGTERM")
      await proc.exited
    },
  }
}

/** One party, once, on a database of its own: started, measured (load.ts), stopped. */
export const runParty = async (
  party: Party,
  backend: "postgres" | "pglite",
  extra: Record<string, string> = {},
): Promise<LoadResult> => {
  const tg = await startFakeBotApi()
  const db = await freshDatabase(party === "ours" ? backend : "postgres")
  try {
    const running = party === "ours" ? await startOurs(tg, db, extra) : await startPeer(party, tg, db)
    try {
      const target = { pids: [running.pid], ports: [running.port] }
      return await measureLoad(tg, target, "ping", 1_000_000)
    } finally {
      await running.stop()
    }
  } finally {
    await tg.stop()
    await db.drop()
  }
}

export interface PartySummary {
  readonly runs: ReadonlyArray<LoadResult>
  readonly throughput: { readonly median: number; readonly min: number; readonly max: number }
  readonly p99: number
  readonly cpu: { readonly bot: number; readonly postgres: number; readonly driver: number }
}

const summarise = (runs: ReadonlyArray<LoadResult>): PartySummary => {
  const tp = runs.map((r) => r.throughput)
  return {
    runs,
    throughput: { median: median(tp), min: Math.min(...tp), max: Math.max(...tp) },
    p99: median(runs.map((r) => r.p99)),
    cpu: {
      bot: round(median(runs.map((r) => r.cpu.bot)), 3),
      postgres: round(median(runs.map((r) => r.cpu.postgres)), 3),
      driver: round(median(runs.map((r) => r.cpu.driver)), 3),
    },
  }
}

/**
 * P1: every party `repetitions` times, interleaved (each round in a rotated order, so no party always runs on a
 * warmer or cooler machine), on PostgreSQL.
 */
export const runP1 = async (repetitions = 3) => {
  const runs = new Map<Party, LoadResult[]>(PARTIES.map((p) => [p, []]))
  for (let round = 0; round < repetitions; round++) {
    const order = PARTIES.map((_, i) => PARTIES[(i + round) % PARTIES.length]!)
    for (const party of order) {
      const result = await runParty(party, "postgres")
      console.log("P1", round + 1, party, JSON.stringify(result))
      runs.get(party)!.push(result)
    }
  }
  const summary = Object.fromEntries(PARTIES.map((p) => [p, summarise(runs.get(p)!)])) as Record<
    Party,
    PartySummary
  >
  const ratio = (peer: Party) => round(summary.ours.throughput.median / summary[peer].throughput.median, 2)
  return {
    summary,
    vsSessionBot: ratio("session"),
    vsMinimalDurable: ratio("durable"),
    vsEcho: ratio("echo"),
    p99Ms: summary.ours.p99,
  }
}

/**
 * Scale-out: `instances` of ours behind one webhook address (the driver spreads chats over them, as a balancer
 * would) against one PostgreSQL database; the chat leases keep each chat on one instance at a time.
 */
export const runScaleOut = async (instances: number): Promise<LoadResult> => {
  const tg = await startFakeBotApi()
  const db = await freshDatabase("postgres")
  try {
    const running: Running[] = []
    try {
      for (let i = 0; i < instances; i++) running.push(await startOurs(tg, db, {}))
      const target = { pids: running.map((r) => r.pid), ports: running.map((r) => r.port) }
      return await measureLoad(tg, target, "ping", 1_000_000)
    } finally {
      await Promise.all(running.map((r) => r.stop()))
    }
  } finally {
    await tg.stop()
    await db.drop()
  }
}
