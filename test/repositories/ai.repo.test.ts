import { describe, expect, setDefaultTimeout, test } from "bun:test"
import { sql } from "kysely"
import { forgetUser } from "../../src/admin/users.repo"
import { aiCallsToday, recordAiCall, type UsageRecord } from "../../src/repositories/ai.repo"
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

  const record = (over: Partial<UsageRecord> = {}) => recordAiCall(db(), call(over), "Europe/Moscow")

  test("recordAiCall → one row with every field, latency rounded to whole ms", async () => {
    await sql`delete from ai_calls`.execute(db())
    await record({ outcome: "timeout", errorClass: "TimeoutError" })
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

  test("every upstream call of a user counts towards today's budget: any channel, any outcome", async () => {
    await record()
    await record({ outcome: "timeout" })
    await record({ outcome: "malformed" })
    await record({ outcome: "refused", channel: "reviewer" })
    await record({ channel: "transcription", outcome: "unavailable" })
    await record({ channel: "speech" })
    await record({ userId: 8 })
    await record({ userId: null })
    expect(await aiCallsToday(db(), 7, "Europe/Moscow")).toBe(6)
    expect(await aiCallsToday(db(), 8, "Europe/Moscow")).toBe(1)
    expect(await aiCallsToday(db(), 9, "Europe/Moscow")).toBe(0)
  })

  test("the count survives /forget_me (which anonymises the usage rows)", async () => {
    await record({ userId: 10 })
    await record({ userId: 10 })
    await forgetUser(db(), 10)
    expect(await db().selectFrom("ai_calls").select("id").where("user_id", "=", 10).execute()).toEqual([])
    expect(await aiCallsToday(db(), 10, "Europe/Moscow")).toBe(2)
  })

  test("a new local day → the count starts again from the first call of the day", async () => {
    await record({ userId: 11 })
    await record({ userId: 11 })
    // Yesterday in Moscow, as if the day had turned since.
    await sql`update user_limits set ai_day = ai_day - 1 where user_id = 11`.execute(db())
    expect(await aiCallsToday(db(), 11, "Europe/Moscow")).toBe(0)
    await record({ userId: 11 })
    expect(await aiCallsToday(db(), 11, "Europe/Moscow")).toBe(1)
  })
})
