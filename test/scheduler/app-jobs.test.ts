import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test"
import { Result, Schema } from "effect"
import type { Kysely } from "kysely"
import { sql } from "kysely"
import type { Database } from "../../db/schema"
import { activeUsers, recordActivity } from "../../src/admin/activity.repo"
import { cases } from "../../src/cases/registry"
import { parseConfig } from "../../src/config/config"
import { newAttempt } from "../../src/core/attempt"
import { initialSession, Session } from "../../src/core/session"
import { jsonb } from "../../src/repositories/jsonb"
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

  test("ensureAppJobs → retention and the weekly reminder always; the Sheets export only when enabled, cancelled when switched off", async () => {
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
      ["practice_nudges", "0 0 11 * * 1", true],
      ["retention", "0 30 3 * * *", true],
      ["sheets_export", "0 */15 * * * *", true],
    ])
    await ensureAppJobs(db, config(false))
    expect((await listJobs(db)).find((j) => j.name === "sheets_export")?.enabled).toBe(false)
  })

  test("retention copies who was active on which day before the inbox is purged: /stats still counts them", async () => {
    await sql`insert into authorized_users (user_id, role) values (811, 'user'), (812, 'user'), (813, 'admin'), (814, 'user')`.execute(
      db,
    )
    await sql`insert into update_inbox (update_id, chat_id, kind, payload, received_at, processed_at) values
      (8101, 811, 'update', '{}', now() - interval '20 days', now() - interval '20 days'),
      (8102, 812, 'update', '{}', now() - interval '3 days', now() - interval '3 days'),
      (8103, 812, 'update', '{}', now() - interval '3 days', now() - interval '3 days'),
      (8104, 815, 'update', '{}', now() - interval '1 day', now() - interval '1 day'),
      (8105, 811, 'event', '{}', now() - interval '1 day', now() - interval '1 day')`.execute(db)
    const counts = async () => [
      await activeUsers(db, 7, "Europe/Moscow"),
      await activeUsers(db, 30, "Europe/Moscow"),
    ]
    // 811 20 days ago, 812 3 days ago; 815 has no role, an event is not activity, 814 never wrote.
    expect(await counts()).toEqual([1, 2])
    await retention(db, 1, "Europe/Moscow")
    expect(await db.selectFrom("update_inbox").select("id").where("update_id", ">", 8100).execute()).toEqual(
      [],
    )
    expect(await counts()).toEqual([1, 2])
    // Today's update, not yet copied, counts too; the copy is idempotent.
    await sql`insert into update_inbox (update_id, chat_id, kind, payload) values (8106, 813, 'update', '{}')`.execute(
      db,
    )
    expect(await counts()).toEqual([2, 3])
    await recordActivity(db, "Europe/Moscow")
    await recordActivity(db, "Europe/Moscow")
    expect(await counts()).toEqual([2, 3])
    await sql`delete from user_activity`.execute(db)
    await sql`delete from update_inbox`.execute(db)
    await sql`delete from authorized_users`.execute(db)
  })

  test("retention → abuse counters untouched for two days go (strangers are not kept); a revocation and fresh ones stay", async () => {
    await sql`insert into user_limits (user_id, login_failures, revoked, updated_at) values
      (701, 3, false, now() - interval '3 days'), (702, 0, true, now() - interval '30 days'),
      (703, 1, false, now() - interval '1 hour')`.execute(db)
    await retention(db, undefined, "Europe/Moscow")
    const kept = await db.selectFrom("user_limits").select("user_id").orderBy("user_id").execute()
    expect(kept.map((r) => r.user_id)).toEqual([702, 703])
    await sql`delete from user_limits`.execute(db)
  })

  test("retention → processed updates older than a week go; dialogue texts only past DIALOGUE_RETENTION_DAYS", async () => {
    await sql`insert into update_inbox (update_id, chat_id, kind, payload, received_at, processed_at) values
      (1, 5, 'update', '{}', now() - interval '10 days', now() - interval '10 days'),
      (2, 5, 'update', '{}', now(), now()),
      (3, 5, 'update', '{}', now() - interval '10 days', null)`.execute(db)
    await sql`insert into voice_transcripts (file_unique_id, user_id, transcript, provider, model, created_at) values
      ('old', 5, 'старое', 'openai', 'm', now() - interval '40 days'), ('new', 5, 'новое', 'openai', 'm', now())`.execute(
      db,
    )
    await retention(db, undefined, "Europe/Moscow")
    expect(
      (await db.selectFrom("update_inbox").select("update_id").orderBy("update_id").execute()).map(
        (r) => r.update_id,
      ),
    ).toEqual([2, 3])
    expect((await db.selectFrom("voice_transcripts").select("file_unique_id").execute()).length).toBe(2)
    await retention(db, 30, "Europe/Moscow")
    expect(
      (await db.selectFrom("voice_transcripts").select("file_unique_id").execute()).map(
        (r) => r.file_unique_id,
      ),
    ).toEqual(["new"])
  })
  test("retention with DIALOGUE_RETENTION_DAYS shorter than a week → processed updates go after that many days; pending ones stay", async () => {
    await sql`delete from update_inbox`.execute(db)
    await sql`insert into update_inbox (update_id, chat_id, kind, payload, commands, received_at, processed_at) values
      (11, 6, 'update', '{"t":"старое"}', '[{"_tag":"AskPersona"}]', now() - interval '3 days', now() - interval '3 days'),
      (12, 6, 'update', '{}', null, now() - interval '12 hours', now() - interval '12 hours'),
      (13, 6, 'update', '{}', null, now() - interval '3 days', null)`.execute(db)
    await retention(db, 2, "Europe/Moscow")
    expect(
      (await db.selectFrom("update_inbox").select("update_id").orderBy("update_id").execute()).map(
        (r) => r.update_id,
      ),
    ).toEqual([12, 13])
  })

  test("retention past DIALOGUE_RETENTION_DAYS → old attempts lose transcript and review sentences (verdict, score kept); sessions leave old attempts; recent ones untouched", async () => {
    const spec = cases[0]!
    const first = spec.methodology.components[0]!.key
    const second = spec.methodology.components[1]!.key
    const review = {
      overall: "Фраза «секрет» хороша",
      components: [
        { key: first, covered: true, evidence: "секрет", better: "" },
        { key: second, covered: false, evidence: "", better: "скажи про сроки" },
      ],
      strengths: ["«секрет»"],
      growth: ["вопросы"],
    }
    const turns = [{ learner: "секрет", persona: "ответ", covered: [first] }]
    const attempt = (chatId: number, no: number, endedDaysAgo: number, withReview: boolean) =>
      db
        .insertInto("case_attempts")
        .values({
          user_id: chatId,
          chat_id: chatId,
          case_id: spec.id,
          attempt_no: no,
          started_at: sql<Date>`now() - make_interval(days => ${endedDaysAgo})`,
          ended_at: sql<Date>`now() - make_interval(days => ${endedDaysAgo})`,
          outcome: "manual",
          turns: 1,
          score: 1,
          covered: jsonb([first]),
          transcript: jsonb(turns),
          review: withReview ? jsonb(review) : null,
          dialogue_model: "openai:m",
          review_model: "openai:r",
        })
        .execute()
    await attempt(21, 1, 5, true)
    await attempt(22, 1, 5, false)
    await attempt(23, 1, 0, true)
    const inCase = (number: number, phase: "Dialogue" | "Reviewed") => ({
      ...initialSession,
      flow: {
        _tag: "Case" as const,
        attempt: { ...newAttempt(spec.id, number, 1), phase, turns, queued: ["секрет"] },
      },
      attempts: { [spec.id]: number },
      reviews: 1,
    })
    const session = (chatId: number, state: unknown, updatedDaysAgo: number) =>
      db
        .insertInto("chat_sessions")
        .values({
          chat_id: chatId,
          state: jsonb(state),
          version: 4,
          updated_at: sql<Date>`now() - make_interval(days => ${updatedDaysAgo})`,
        })
        .execute()
    await session(21, inCase(1, "Reviewed"), 0) // reviewed 5 days ago, active today (menu, FAQ…)
    await session(24, inCase(3, "Dialogue"), 5) // a dialogue abandoned 5 days ago
    await session(23, inCase(1, "Reviewed"), 0) // reviewed today
    await session(25, inCase(2, "Dialogue"), 0) // talking right now
    await session(26, { ...initialSession, reviews: 2 }, 9)

    await retention(db, 2, "Europe/Moscow")
    const attempts = await db
      .selectFrom("case_attempts")
      .select(["chat_id", "transcript", "review", "score", "covered", "turns"])
      .where("chat_id", "in", [21, 22, 23])
      .orderBy("chat_id")
      .execute()
    expect(attempts).toEqual([
      {
        chat_id: 21,
        transcript: [],
        review: {
          overall: "",
          components: [
            { key: first, covered: true, evidence: "", better: "" },
            { key: second, covered: false, evidence: "", better: "" },
          ],
          strengths: [],
          growth: [],
        },
        score: 1,
        covered: [first],
        turns: 1,
      },
      { chat_id: 22, transcript: [], review: null, score: 1, covered: [first], turns: 1 },
      { chat_id: 23, transcript: turns, review, score: 1, covered: [first], turns: 1 },
    ])
    const sessions = async () =>
      Object.fromEntries(
        (
          await db
            .selectFrom("chat_sessions")
            .select(["chat_id", "state", "version"])
            .where("chat_id", "in", [21, 23, 24, 25, 26])
            .execute()
        ).map((r) => [r.chat_id, { state: Schema.decodeUnknownSync(Session)(r.state), version: r.version }]),
      )
    const idle = (number: number, reviews = 1): Session => ({
      ...initialSession,
      flow: { _tag: "Idle" },
      attempts: { [spec.id]: number },
      reviews,
    })
    const expected: Record<number, { state: Session; version: number }> = {
      21: { state: idle(1), version: 5 },
      23: { state: inCase(1, "Reviewed"), version: 4 },
      24: { state: idle(3), version: 5 },
      25: { state: inCase(2, "Dialogue"), version: 4 },
      26: { state: { ...initialSession, reviews: 2 }, version: 4 },
    }
    expect(await sessions()).toEqual(expected)
    // Nothing left to scrub: a second night changes nothing.
    await retention(db, 2, "Europe/Moscow")
    expect(await sessions()).toEqual(expected)
  })
})
