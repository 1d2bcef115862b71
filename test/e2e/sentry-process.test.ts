import { describe, expect, setDefaultTimeout, test } from "bun:test"
import { texts } from "../../src/nav/texts"
import { scheduleOneOffJob } from "../../src/scheduler/jobs.repo"
import { JOB_KINDS } from "../../src/scheduler/kinds"
import { migrateToLatest, openDatabase } from "../../src/services/db"
import { configOf } from "../repositories/database"
import { backends, breakSessionWrites } from "../support/database"
import { startFakeSentry } from "../support/fake-sentry"
import { testEnv, USER_PASSWORD, WEBHOOK_SECRET } from "../support/harness"
import { useProcessFixture } from "../support/process-fixture"
import { textUpdate } from "../support/updates"
import { waitFor } from "../support/wait"

setDefaultTimeout(60_000)

// Assembled at run time, so no literal of it sits in source lines Sentry might ship with a stack frame.
const LEARNER_LINE = ["Я бы сказал сотруднику, ", "что отчёт опоздал на три дня"].join("")

describe.each(backends)("Sentry from a running bot process (%s)", (backend) => {
  const sink = startFakeSentry()
  const fx = useProcessFixture()

  test("a failing job and (on PostgreSQL) a failing dialogue row → events with ids, no dialogue text", async () => {
    fx.onTeardown(() => sink.reset())
    const tg = await fx.botApi()
    const database = await fx.database(backend)
    const setup = await openDatabase(configOf(database))
    await migrateToLatest(setup)
    // A broadcast job whose payload names no broadcast: its run fails.
    await scheduleOneOffJob(setup, { name: "broadcast:broken", kind: JOB_KINDS.broadcast, runAt: new Date() })
    await setup.destroy()
    const bot = fx.spawn({
      ...testEnv(tg, database, "webhook"),
      LOG_LEVEL: "info",
      SENTRY_DSN: sink.dsn,
      SENTRY_ENV: "ci",
    })
    const started = await bot.waitForLog("bot started")
    const jobEvent = (await sink.waitForEvents(1, 20_000)).find((e) => e.tags?.job === "broadcast:broken")
    expect(jobEvent?.environment).toBe("ci")
    expect(jobEvent?.tags).toMatchObject({ operation: "job", error_class: "Error" })
    expect(JSON.stringify(jobEvent?.exception)).toContain("has no broadcastId")

    if (backend === "postgres") {
      const post = (text: string) =>
        fetch(`http://127.0.0.1:${started.webhookPort}/webhook`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": WEBHOOK_SECRET },
          body: JSON.stringify(textUpdate(text, { chatId: 601, userId: 601 })),
        })
      await post("/start")
      await post(USER_PASSWORD)
      await waitFor("sign-in", () => tg!.chat(601).length >= 2)
      // Session writes break under the running bot: the learner's next line cannot be processed.
      const db = await openDatabase(configOf(database))
      const broken = await breakSessionWrites(db)
      await post(LEARNER_LINE)
      await waitFor("a pipeline event", () => sink.events().some((e) => e.tags?.rowId !== undefined))
      await broken.heal()
      await db.destroy()
      const rowEvent = sink.events().find((e) => e.tags?.rowId !== undefined)
      expect(rowEvent?.tags).toMatchObject({ chatId: "601" })
      expect(texts.apology()).not.toContain(LEARNER_LINE) // sanity: the check below is about the learner's words
    }
    const everything = sink.rawBodies().join("\n")
    for (const secret of [LEARNER_LINE, "отчёт опоздал", USER_PASSWORD, "TEST-token-for-fake-api"])
      expect(everything).not.toContain(secret)
  })
})
