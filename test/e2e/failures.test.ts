import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test"
import { Effect } from "effect"
import { authTexts } from "../../src/auth/texts"
import { visibleText } from "../../src/core/html"
import { caseCommands } from "../../src/nav/command-menu"
import { texts } from "../../src/nav/texts"
import { MAX_ATTEMPTS } from "../../src/pipeline/stages/error-boundary"
import { backends, breakSessionWrites } from "../support/database"
import { startBot, type TestBot, textsOf, USER_PASSWORD } from "../support/harness"
import { textUpdate } from "../support/updates"
import { waitFor } from "../support/wait"

// Each file boots the real app (the first PGlite boot of a run alone takes seconds); set per file, as bun
// applies setDefaultTimeout only to the file that calls it.
setDefaultTimeout(30_000)

describe.each(backends)("failures in the pipeline (%s)", (backend) => {
  let bot: TestBot
  afterEach(async () => bot?.stop())

  test("a failing row is retried, then answered with a friendly apology; reports carry ids only", async () => {
    const reports: Array<{ error: unknown; context: Record<string, unknown> }> = []
    bot = await startBot({
      backend,
      env: { SUPPORT_CONTACT: "@emco_help <поддержка>" },
      errorReporter: { report: (error, context) => Effect.sync(() => reports.push({ error, context })) },
    })
    const anya = bot.user(501)
    await anya.send("/start")
    await anya.send(USER_PASSWORD)
    const broken = await breakSessionWrites(bot.app.db)
    const before = bot.tg.chat(501).length
    await bot.deliver(textUpdate("/help", { chatId: 501, userId: 501 }))
    await waitFor("the apology", () => bot.tg.chat(501).length > before, 15_000, 20)
    // The apology names the configured support contact (escaped: it is the operator's text, not HTML).
    expect(textsOf(bot.tg.chat(501).slice(before))).toEqual([
      visibleText(texts.apology("@emco_help <поддержка>")),
    ])
    expect(textsOf(bot.tg.chat(501).slice(before))[0]).toContain("напиши в поддержку: @emco_help <поддержка>")
    expect(reports).toHaveLength(MAX_ATTEMPTS)
    for (const r of reports) expect(Object.keys(r.context).sort()).toEqual(["chatId", "rowId", "updateId"])
    const row = await bot.app.db
      .selectFrom("update_inbox")
      .select(["attempts", "processed_at", "last_error"])
      .orderBy("id", "desc")
      .executeTakeFirstOrThrow()
    expect(row.attempts).toBe(MAX_ATTEMPTS)
    expect(row.processed_at).not.toBeNull()
    // The database is healthy again → the chat goes on as before; nothing of the session was lost.
    await broken.heal()
    expect(textsOf(await anya.send("/whoami"))[0]).toContain("Роль: пользователь")
  })

  test("Telegram answers 429 with retry_after → the reply arrives once, after the wait", async () => {
    bot = await startBot({ backend })
    bot.tg.failNext("sendMessage", { status: 429, retryAfter: 1 })
    const started = Date.now()
    expect(textsOf(await bot.user(502).send("/start"))).toEqual([authTexts.askPassword])
    expect(Date.now() - started).toBeGreaterThanOrEqual(900)
    expect(bot.tg.callsOf("sendMessage").map((c) => c.status)).toEqual([429, 200])
  })

  test("Telegram answers 500 once → retried, the reply arrives once", async () => {
    bot = await startBot({ backend })
    bot.tg.failNext("sendMessage", { status: 500 })
    expect(textsOf(await bot.user(503).send("/start"))).toEqual([authTexts.askPassword])
    expect(bot.tg.callsOf("sendMessage").map((c) => c.status)).toEqual([500, 200])
  })

  // PGlite, in process, stores within the millisecond: the deadline never cuts it short.
  test.skipIf(backend !== "postgres")(
    "storing outlasts the webhook's deadline → 503, Telegram delivers again; every update answered once, no chat left leased",
    async () => {
      bot = await startBot({ backend, storeDeadlineMs: 1 })
      const updates = Array.from({ length: 10 }, (_, i) =>
        textUpdate("/help", { chatId: 700 + i, userId: 700 + i }),
      )
      const statuses: number[] = []
      // Telegram's way: an update answered with anything but 200 is delivered again, the same update_id.
      for (const update of updates)
        for (let delivery = 0; delivery < 50; delivery++) {
          const status = (await bot.deliver(update))?.status ?? 0
          statuses.push(status)
          if (status === 200) break
        }
      expect(statuses).toContain(503) // the deadline did cut the store short, here and there
      await bot.app.whenIdle()
      for (const update of updates)
        expect(textsOf(bot.tg.chat(update.message!.chat.id))).toEqual([
          visibleText(texts.help(false, caseCommands())),
        ])
      const leases = await bot.app.db.selectFrom("chat_leases").selectAll().execute()
      expect(leases).toEqual([])
    },
  )
})
