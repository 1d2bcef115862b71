import { afterEach, describe, expect, test } from "bun:test"
import { backends, type FreshDatabase, freshDatabase } from "../support/database"
import { runScript } from "./support"

let fresh: FreshDatabase | undefined
afterEach(async () => {
  await fresh?.drop()
  fresh = undefined
})

describe.each(backends)("bun run db:migrate (%s)", (backend) => {
  // A deploy's first step: done is done. Its wait for a server still starting (DATABASE_CONNECT_TIMEOUT_SEC, two
  // minutes here) once kept the process alive for all of that after the schema was up to date.
  test("applies the schema, then exits at once, however long it would wait for a server", async () => {
    fresh = await freshDatabase(backend)
    const env = { ...fresh.env, DATABASE_CONNECT_TIMEOUT_SEC: "120" }
    const first = await runScript("src/cli/migrate.ts", [], env)
    expect(first.code).toBe(0)
    const again = await runScript("src/cli/migrate.ts", [], env)
    expect({ code: again.code, said: again.stdout.trim() }).toEqual({
      code: 0,
      said: "Схема базы актуальна.",
    })
  }, 60_000)
})
