import { describe, expect, setDefaultTimeout, test } from "bun:test"
import { INTERRUPTED } from "../../src/broadcast/recipients.repo"
import { makeNudgeJob } from "../../src/nudges/job"
import { nudgeTexts } from "../../src/nudges/texts"
import { migrateToLatest, openDatabase } from "../../src/services/db"
import { addUsers, range } from "../broadcast/support"
import { configOf } from "../repositories/database"
import { backends } from "../support/database"
import { testEnv } from "../support/harness"
import { useProcessFixture } from "../support/process-fixture"
import { waitFor } from "../support/wait"

setDefaultTimeout(120_000)

const FIRST = 8_100_001
const LEARNERS = 60

/**
 * The week's practice reminder is delivered by the broadcast job: a bot killed (kill -9) mid-way leaves the rest to
 * the next start, and nobody gets it twice.
 */
describe.each(backends)("the weekly reminder across kill -9, real processes (%s)", (backend) => {
  const fx = useProcessFixture()

  test("a restart finishes the week's reminders: each opted-in learner once, paced, their own text", async () => {
    const tg = await fx.botApi()
    tg.setRateLimit(10)
    const database = await fx.database(backend)
    const setup = await openDatabase(configOf(database))
    await migrateToLatest(setup)
    const ids = range(FIRST, LEARNERS)
    await addUsers(setup, ids)
    await setup
      .insertInto("user_settings")
      .values(ids.map((user_id) => ({ user_id, nudges: true })))
      .execute()
    await makeNudgeJob(setup, "Europe/Moscow")()
    await setup.destroy()

    const reminders = () =>
      tg.callsOf("sendMessage").filter((c) => c.status === 200 && c.params.text === nudgeTexts.start)
    const env = { ...testEnv(tg, database, "polling"), LOG_LEVEL: "info", JOB_LEASE_SECONDS: "3" }
    const first = fx.spawn(env)
    await waitFor("a third of the reminders", () => reminders().length >= LEARNERS / 3, 60_000)
    first.proc.kill("SIGKILL")
    expect(await first.exited).not.toBe(0)
    expect(reminders().length).toBeLessThan(LEARNERS)

    // The embedded database admits one process at a time: the test reads it only after the bot has stopped.
    const second = fx.spawn(env)
    await waitFor(
      "the delivery to finish",
      () => second.lines.some((l) => l.includes('"job finished"') && l.includes('"job":"broadcast:1"')),
      60_000,
    )
    second.proc.kill("SIGTERM")
    expect(await second.exited).toBe(0)
    const db = await openDatabase(configOf(database))
    try {
      const status = await db.selectFrom("broadcasts").select("status").executeTakeFirstOrThrow()
      expect(status.status).toBe("done")
      const per = new Map<number, number>()
      for (const c of reminders())
        per.set(Number(c.params.chat_id), (per.get(Number(c.params.chat_id)) ?? 0) + 1)
      expect([...per.values()].filter((n) => n > 1)).toEqual([])
      const rows = await db.selectFrom("broadcast_recipients").select(["user_id", "state", "error"]).execute()
      // Only a send in flight at the kill is uncertain: marked, never sent a second time.
      const uncertain = rows.filter((r) => r.state === "failed")
      expect(uncertain.length).toBeLessThanOrEqual(1)
      for (const r of uncertain) expect(r.error).toBe(INTERRUPTED)
      expect(rows.filter((r) => r.state === "sent").length + uncertain.length).toBe(LEARNERS)
      expect(per.size).toBeGreaterThanOrEqual(LEARNERS - 1)
    } finally {
      await db.destroy()
    }
  })
})
