/**
 * `bun bench/party.ts <ours|session|durable|echo> [postgres|pglite]`: one P1 run of one party, printed as JSON; for
 * comparing a change by hand (bench/HISTORY.md) without the full interleaved P1. Needs PostgreSQL like P1.
 * BENCH_MEASURE_MS sets the measured closed loop's length (5000). Two commits at once: bench/ab.ts.
 */
import { PARTIES, type Party, runParty } from "./p1-pipeline"

const [party = "ours", backend = "postgres"] = process.argv.slice(2)
if (!PARTIES.includes(party as Party) || (backend !== "postgres" && backend !== "pglite")) {
  console.error(`usage: bun bench/party.ts <${PARTIES.join("|")}> [postgres|pglite]`)
  process.exit(2)
}
process.env.TEST_DATABASE_URL ??= "postgres://postgres@127.0.0.1:5432/test"
console.log(party, backend, JSON.stringify(await runParty(party as Party, backend)))
process.exit(0)
