/**
 * `bun run bench [p1 scale embedded p2 p3 p5]` (none named: all; `report`: only render RESULTS.md): the speed and memory targets, measured on this machine. Each part's numbers go
 * to bench/results.json (parts not run keep their previous numbers); bench/RESULTS.md is rendered from that file
 * (report.ts), followed by bench/HISTORY.md, the dated measurements of earlier steps.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import postgres from "postgres"
import { type Backend, dropAllDatabases, type FreshDatabase, freshDatabase } from "../test/support/database"
import { runP1, runParty, runScaleOut } from "./p1-pipeline"
import { runP2 } from "./p2-broadcast"
import { runP3P4 } from "./p3-ai"
import { runP5Bursts, runP5Embedded, runP5Postgres } from "./p5-startup"
import { embeddedFsync } from "./pglite-fsync"
import { render } from "./report"
import { machine } from "./support"

const LOCAL_PG = "postgres://postgres@127.0.0.1:5432/test"
const RESULTS = new URL("./results.json", import.meta.url)

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

const only = process.argv.slice(2)
const wanted = (name: string) => only.length === 0 || only.includes(name)
const previous = existsSync(RESULTS) ? JSON.parse(readFileSync(RESULTS, "utf8")) : {}
const partsRun = ["p1", "scale", "embedded", "p2", "p3", "p5"].filter(wanted)
const results: Record<string, unknown> = { ...previous, ...(partsRun.length > 0 && { machine: machine() }) }
const save = () => writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`)

if (!(await pgAvailable())) {
  console.error("P1–P4 compare against PostgreSQL: start one or set TEST_DATABASE_URL.")
  process.exit(1)
}

if (wanted("p1")) {
  results.p1 = { ...(await runP1(3)), at: new Date().toISOString() }
  save()
}
if (wanted("scale")) {
  const one = await runScaleOut(1)
  const two = await runScaleOut(2)
  results.scaleOut = { one, two, at: new Date().toISOString() }
  save()
}
if (wanted("embedded")) {
  // Ours on PGlite under the same load, and whether PGlite's fsync setting reaches the disk at all.
  results.p1Embedded = {
    ours: await runParty("ours", "pglite"),
    fsync: embeddedFsync(),
    at: new Date().toISOString(),
  }
  save()
}
if (wanted("p2")) {
  results.p2 = { ...(await onFreshDatabase("postgres", runP2)), at: new Date().toISOString() }
  save()
}
if (wanted("p3")) {
  const { p3, p4 } = await onFreshDatabase("postgres", runP3P4)
  results.p3 = { ...p3, at: new Date().toISOString() }
  results.p4 = p4
  save()
}
if (wanted("p5")) {
  const embedded = await runP5Embedded()
  const bursts = await runP5Bursts()
  const onPostgres = await onFreshDatabase("postgres", runP5Postgres)
  results.p5 = {
    firstStartPeakMiB: embedded.first.peakMiB,
    idleMiB: embedded.first.idleMiB,
    embedded,
    bursts,
    postgres: onPostgres,
    at: new Date().toISOString(),
  }
  save()
}

const history = new URL("./HISTORY.md", import.meta.url)
const report = render(results as never) + (existsSync(history) ? `\n${readFileSync(history, "utf8")}` : "")
writeFileSync(new URL("./RESULTS.md", import.meta.url), report)
console.log("bench/results.json and bench/RESULTS.md written")
// The scratch folder the test helpers made for fresh databases goes too.
await dropAllDatabases()
process.exit(0)
