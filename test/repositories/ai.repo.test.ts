import { describe, expect, setDefaultTimeout, test } from "bun:test"
import { sql } from "kysely"
import { countTurnsToday, insertUsage, type UsageRecord } from "../../src/repositories/ai.repo"
import { backends } from "../support/database"
import { useRepositoryDatabase } from "./database"

// The first PGlite boot of a run takes seconds; bun applies this to this file only.
setDefaultTimeout(30_000)

const call = (over: Partial<UsageRecord> = {}): UsageRecord => ({
  userId: 7,
  caseId: "fb_employee",
  channel: "dialogue",
  provider: "openai",
  model: "gpt-test",
  inputTokens: 120,
  outputTokens: 30,
  latencyMs: 812.6,
  outcome: "ok",
  errorClass: null,
  ...over,
})

describe.each(backends)("ai repository (%s)", (backend) => {
  const db = useRepositoryDatabase(backend)

  test("insertUsage → one row with every field, latency rounded to whole ms", async () => {
    await sql`delete from ai_calls`.execute(db())
    await insertUsage(db(), call({ outcome: "timeout", errorClass: "TimeoutError" }))
    const rows = await db().selectFrom("ai_calls").selectAll().execute()
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({
      user_id: 7,
      case_id: "fb_employee",
      channel: "dialogue",
      provider: "openai",
      model: "gpt-test",
      input_tokens: 120,
      output_tokens: 30,
      latency_ms: 813,
      outcome: "timeout",
      error_class: "TimeoutError",
    })
    expect(rows[0]!.at).toBeInstanceOf(Date)
  })

  test("countTurnsToday counts this user's successful dialogue calls since the local midnight only", async () => {
    await sql`delete from ai_calls`.execute(db())
    await insertUsage(db(), call())
    await insertUsage(db(), call())
    await insertUsage(db(), call({ outcome: "timeout" }))
    await insertUsage(db(), call({ channel: "reviewer" }))
    await insertUsage(db(), call({ userId: 8 }))
    await insertUsage(db(), call())
    // The last call moved to just before midnight in Moscow: yesterday there, not counted.
    await sql`update ai_calls set at = date_trunc('day', now() at time zone 'Europe/Moscow') at time zone 'Europe/Moscow'
      - interval '1 second' where id = (select max(id) from ai_calls)`.execute(db())
    expect(await countTurnsToday(db(), 7, "Europe/Moscow")).toBe(2)
    expect(await countTurnsToday(db(), 8, "Europe/Moscow")).toBe(1)
    expect(await countTurnsToday(db(), 9, "Europe/Moscow")).toBe(0)
  })
})
