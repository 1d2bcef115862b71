/**
 * 500 single-row commits on a fresh PGlite with PGlite's default start parameters plus `extra` (JSON argv[2]), as
 * the embedded bot opens it; prints the fsync setting PGlite reports and the time taken.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { PGlite } from "@electric-sql/pglite"
import { seedFromTemplate } from "../../src/services/pglite-template"

const dataDir = mkdtempSync(join(tmpdir(), "emco-fsync-"))
seedFromTemplate(dataDir)
const extra = JSON.parse(process.argv[2] ?? "[]") as string[]
const pg = await PGlite.create(`${dataDir}/pglite`, { startParams: [...PGlite.defaultStartParams, ...extra] })
const setting = (await pg.query<{ fsync: string }>("show fsync")).rows[0]!.fsync
await pg.exec("create table commits (n int)")
const started = performance.now()
for (let n = 0; n < 500; n++) await pg.query("insert into commits values ($1)", [n])
const ms = Math.round(performance.now() - started)
await pg.close()
rmSync(dataDir, { recursive: true, force: true })
process.stdout.write(`${JSON.stringify({ setting, ms })}\n`)
