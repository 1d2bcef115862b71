import { afterAll, setDefaultTimeout } from "bun:test"

// Tests never read a developer's .env and never log unless asked to.
process.env.LOG_LEVEL ??= "silent"
process.env.EMCO_SKIP_DOTENV = "1"

// End-to-end tests boot the real app; the first PGlite boot of a run (initdb) alone takes a few seconds.
setDefaultTimeout(30_000)

afterAll(async () => {
  const { dropAllDatabases } = await import("./database")
  await dropAllDatabases()
})
