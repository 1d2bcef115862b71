import {
  chmodSync,
  cpSync,
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from "node:fs"
import { basename, dirname, join } from "node:path"

/**
 * The embedded database's first start without `initdb`: PGlite's initdb runs a second wasm instance and peaks near
 * 1 GB, more than the 256–512 MB containers small deployments use. So a migrated cluster is prepared once, when it
 * is cheap to spend that memory (`bun install` runs `bun run db:prepare`; so does the Docker build), and a fresh
 * DATA_DIR starts as a copy of it. Same PGlite, same cluster, same SQL: only where initdb ran differs. Migrations
 * newer than the template are applied at start as always.
 */

const APP_ROOT = join(import.meta.dir, "..", "..")
const PGLITE_PACKAGE = join(APP_ROOT, "node_modules", "@electric-sql", "pglite", "package.json")

/** A cluster is only valid for the PGlite build that made it: the version names the template. */
const pgliteVersion = () => (JSON.parse(readFileSync(PGLITE_PACKAGE, "utf8")) as { version: string }).version

/** Where `bun run db:prepare` keeps the template: beside the dependencies, gone with them. */
export const templateDir = () => join(APP_ROOT, "node_modules", ".cache", "emco-pglite", pgliteVersion())

const isCluster = (dir: string) => existsSync(join(dir, "PG_VERSION"))

/** Logged before initdb runs: a small container may be killed for memory before it finishes. */
export const NO_TEMPLATE_WARNING =
  "embedded database created by initdb (~1 GB at its peak): no prepared template; run `bun run db:prepare` at install or build time"

/** How the embedded data directory came to be at this start. */
export type Seeded = "existing" | "template" | "initdb"

/**
 * Makes `<dataDir>/pglite` a copy of the prepared template when it holds no cluster yet. The copy goes to a
 * temporary folder first and is renamed into place, so a crash mid-copy leaves no half cluster behind.
 */
export const seedFromTemplate = (dataDir: string, template = templateDir()): Seeded => {
  const target = join(dataDir, "pglite")
  for (const entry of readdirSync(dataDir))
    if (entry.startsWith("pglite.seeding-")) rmSync(join(dataDir, entry), { recursive: true, force: true })
  if (isCluster(target)) return "existing"
  // Files without a cluster are not ours to replace: PGlite decides, as before.
  const emptyTarget = !existsSync(target) || readdirSync(target).length === 0
  if (!emptyTarget || !isCluster(join(template, "pglite"))) return "initdb"
  const copying = join(dataDir, `pglite.seeding-${process.pid}`)
  cpSync(join(template, "pglite"), copying, { recursive: true })
  // The learners' data is the bot user's alone, whatever the template's modes were.
  chmodTree(copying, 0o600, 0o700)
  rmSync(target, { recursive: true, force: true })
  renameSync(copying, target)
  return "template"
}

/** Sets every file under `dir` to `file` and every folder to `folder` (mode bits). */
const chmodTree = (dir: string, file: number, folder: number) => {
  for (const entry of ["", ...readdirSync(dir, { recursive: true, encoding: "utf8" })]) {
    const path = join(dir, entry)
    chmodSync(path, statSync(path).isDirectory() ? folder : file)
  }
}

/**
 * Builds the template if this PGlite has none: initdb and every migration in a temporary folder, then renamed into
 * place (two installs at once: the first rename wins). `build` opens and migrates a data directory.
 */
export const prepareTemplate = async (
  build: (dataDir: string) => Promise<void>,
  dir = templateDir(),
): Promise<"prepared" | "present"> => {
  if (isCluster(join(dir, "pglite"))) return "present"
  // What a cut or failed earlier preparation left: a folder without a cluster, or a half-built one.
  const parent = dirname(dir)
  if (existsSync(parent))
    for (const entry of readdirSync(parent))
      if (entry.startsWith(`${basename(dir)}.building-`))
        rmSync(join(parent, entry), { recursive: true, force: true })
  rmSync(dir, { recursive: true, force: true })
  const building = `${dir}.building-${process.pid}-${Date.now()}`
  await build(building)
  // Made by whoever installs (root in the Docker build), copied by whoever runs the bot: readable by all,
  // writable by its owner only (PostgreSQL's own modes are 0666 under PGlite).
  chmodTree(building, 0o644, 0o755)
  try {
    renameSync(building, dir)
  } catch (error) {
    rmSync(building, { recursive: true, force: true })
    // Another install won the race: its template is as good. Anything else is a real failure.
    if (!isCluster(join(dir, "pglite"))) throw error
  }
  return "prepared"
}
