import { openDatabase } from "../../src/services/db"
import { configOf, type Db } from "../repositories/database"
import type { FreshDatabase } from "../support/database"

/** Runs an ops script as a real process with exactly the given environment (no .env, no inherited config). */
export const runScript = async (script: string, args: ReadonlyArray<string>, env: Record<string, string>) => {
  const proc = Bun.spawn(["bun", script, ...args], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", EMCO_SKIP_DOTENV: "1", ...env },
    stdout: "pipe",
    stderr: "pipe",
  })
  const [code, stdout, stderr] = await Promise.all([proc.exited, proc.stdout.text(), proc.stderr.text()])
  return { code, stdout, stderr }
}

/** The scripts open the database themselves, so the test's own connection is closed before they run (PGlite
 *  allows one process). */
export const withDb = async <A>(fresh: FreshDatabase, run: (db: Db) => Promise<A>): Promise<A> => {
  const db = await openDatabase(configOf(fresh))
  try {
    return await run(db)
  } finally {
    await db.destroy()
  }
}
