import { afterAll } from "bun:test"

// Tests never read a developer's .env and never log unless asked to.
process.env.LOG_LEVEL ??= "silent"
process.env.EMCO_SKIP_DOTENV = "1"

afterAll(async () => {
  const { dropAllDatabases } = await import("./database")
  await dropAllDatabases()
})
