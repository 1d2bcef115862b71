import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test"
import { Result } from "effect"
import type { Kysely } from "kysely"
import { sql } from "kysely"
import type { Database } from "../../db/schema"
import { parseConfig } from "../../src/config/config"
import { ensureAppJobs, everySeconds, retention } from "../../src/scheduler/app-jobs"
import { listJobs } from "../../src/scheduler/jobs.repo"
import { migrateToLatest, openDatabase } from "../../src/services/db"
import { configOf } from "../repositories/database"
import { backends, type FreshDatabase, freshDatabase } from "../support/database"

setDefaultTimeout(30_000)

describe("everySeconds", () => {
  test("seconds, minutes and hours → the matching croner pattern", () => {
    expect(everySeconds(30)).toBe("*/30 * * * * *")
    expect(everySeconds(900)).toBe("0 */15 * * * *")
    expect(everySeconds(7200)).toBe("0 0 */2 * * *")
  })
})

describe.each(backends)("app jobs (%s)", (backend) => {
  let fresh: FreshDatabase
  let db: Kysely<Database>
  beforeAll(async () => {
    fresh = await freshDatabase(backend)
    db = await openDatabase(configOf(fresh))
    await migrateToLatest(db)
  })
  afterAll(async () => {
    await db.destroy()
    await fresh.drop()
  })

  test("ensureAppJobs → retention always; the Sheets export only when enabled, cancelled when switched off", async () => {
    const config = (enabled: boolean) => {
      const r = parseConfig({
        BOT_TOKEN: "1:x",
        SHEETS_EXPORT_ENABLED: String(enabled),
        EXPORT_INTERVAL_SECONDS: "900",
      })
      if (Result.isFailure(r)) throw new Error(r.failure.join())
      return r.success
    }
    await ensureAppJobs(db, config(true))
    const on = await listJobs(db)
    expect(on.map((j) => [j.name, j.schedule, j.enabled]).sort()).toEqual([
      ["retention", "0 30 3 * * *", true],
      ["sheets_export", "0 */15 * * * *", true],
    ])
    await ensureAppJobs(db, config(false))
    expect((await listJobs(db)).find((j) => j.name === "sheets_export")?.enabled).toBe(false)
  })

  test("retention → processed updates older than a week go; dialogue texts only past DIALOGUE_RETENTION_DAYS", async () => {
    await sql`insert into update_inbox (update_id, chat_id, kind, payload, received_at, processed_at) values
      (1, 5, 'update', '{}', now() - interval '10 days', now() - interval '10 days'),
      (2, 5, 'update', '{}', now(), now()),
      (3, 5, 'update', '{}', now() - interval '10 days', null)`.execute(db)
    await sql`insert into voice_transcripts (file_unique_id, transcript, provider, model, created_at) values
      ('old', 'старое', 'openai', 'm', now() - interval '40 days'), ('new', 'новое', 'openai', 'm', now())`.execute(
      db,
    )
    await retention(db, undefined)
    expect(
      (await db.selectFrom("update_inbox").select("update_id").orderBy("update_id").execute()).map(
        (r) => r.update_id,
      ),
    ).toEqual([2, 3])
    expect((await db.selectFrom("voice_transcripts").select("file_unique_id").execute()).length).toBe(2)
    await retention(db, 30)
    expect(
      (await db.selectFrom("voice_transcripts").select("file_unique_id").execute()).map(
        (r) => r.file_unique_id,
      ),
    ).toEqual(["new"])
  })
})
