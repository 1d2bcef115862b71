import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test"
import { Effect } from "effect"
import { sql } from "kysely"
import { authTexts } from "../../src/auth/texts"
import { refusedValue } from "../../src/intake/refused-value"
import { texts } from "../../src/nav/texts"
import { jsonb } from "../../src/repositories/jsonb"
import { Db, makeDb } from "../../src/services/db"
import { backends } from "../support/database"
import { startBot, type TestBot, WEBHOOK_SECRET } from "../support/harness"
import { recordOutput } from "../support/leak-scan"
import { textUpdate } from "../support/updates"
import { waitFor } from "../support/wait"

setDefaultTimeout(30_000)

const post = (url: string, body: string) =>
  fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": WEBHOOK_SECRET },
    body,
  })

/** A stranger's text update as raw JSON, so the text can hold escapes JSON.stringify would never write. */
const rawText = (updateId: number, chatId: number, textJson: string, extra = "") =>
  `{"update_id":${updateId},"message":{"message_id":1,"date":0,"chat":{"id":${chatId},"type":"private"},` +
  `"from":{"id":${chatId},"is_bot":false,"first_name":"A"},"text":${textJson}${extra}}}`

const metric = async (bot: TestBot, line: string) =>
  (await (await fetch(`${bot.opsUrl}/metrics`)).text()).split("\n").find((l) => l.startsWith(line))

const inboxRowsOf = (bot: TestBot, updateId: number) =>
  bot.app.db.selectFrom("update_inbox").select("payload").where("update_id", "=", updateId).execute()

describe.each(backends)("a smaller HTTP surface (%s)", (backend) => {
  let bot: TestBot | undefined
  const logs: string[] = []
  const logSink = (line: string) => {
    logs.push(line)
    recordOutput(line)
  }
  afterEach(async () => {
    await bot?.stop()
    bot = undefined
    logs.length = 0
  })

  test("/metrics, /ready and /health → 404 on the public webhook port, 200 on METRICS_PORT", async () => {
    bot = await startBot({ backend })
    for (const path of ["/metrics", "/ready", "/health"]) {
      expect({ path, status: (await fetch(bot.webhookUrl.replace("/webhook", path))).status }).toEqual({
        path,
        status: 404,
      })
      expect({ path, status: (await fetch(`${bot.opsUrl}${path}`)).status }).toEqual({ path, status: 200 })
    }
  })

  test("database gauges come from a timer: scrapes do not count; the next tick does", async () => {
    // A chat in a role-play dialogue, written straight into the database (no update runs the pipeline).
    const inDialogue = { flow: { _tag: "Case", attempt: { phase: "Dialogue" } } }
    const addDialogue = (b: TestBot) =>
      b.app.db
        .insertInto("chat_sessions")
        .values({ chat_id: 9301, state: jsonb(inDialogue), version: 1 })
        .execute()
    bot = await startBot({ backend, gaugeIntervalMs: 60_000 })
    await addDialogue(bot)
    for (let i = 0; i < 20; i++)
      expect(await metric(bot, "bot_active_dialogues ")).toBe("bot_active_dialogues 0")
    await bot.stop()
    bot = await startBot({ backend, gaugeIntervalMs: 200 })
    await addDialogue(bot)
    await waitFor(
      "the gauge's next tick",
      async () => (await metric(bot!, "bot_active_dialogues ")) === "bot_active_dialogues 1",
      5000,
    )
  })

  test("webhook: a lone surrogate is replaced and answered; absurd nesting → 200, counted, logged by id, not stored", async () => {
    // Without sign-in, so the text is stored as sent (a stranger's would be erased: it may be the password).
    bot = await startBot({ backend, logSink, env: { AUTH_PASSWORD_USER: "", AUTH_PASSWORD_ADMIN: "" } })
    expect((await post(bot.webhookUrl, rawText(930201, 9302, '"\\ud800 привет"'))).status).toBe(200)
    await bot.app.whenIdle()
    expect(bot.tg.chat(9302).map((m) => m.text)).toEqual([texts.fallback])
    expect(
      (await inboxRowsOf(bot, 930201)).map((r) => (r.payload as { message: { text: string } }).message.text),
    ).toEqual(["\ufffd привет"])

    const deep = `,"x":${"[".repeat(100_000)}${"]".repeat(100_000)}`
    expect((await post(bot.webhookUrl, rawText(930301, 9303, '"hi"', deep))).status).toBe(200)
    expect((await post(bot.webhookUrl, rawText(930301, 9303, '"hi"', deep))).status).toBe(200)
    await bot.app.whenIdle()
    expect(await inboxRowsOf(bot, 930301)).toEqual([])
    expect(bot.tg.chat(9303)).toEqual([])
    expect(await metric(bot, 'bot_validation_errors_total{reason="too_deep"}')).toBe(
      'bot_validation_errors_total{reason="too_deep"} 2',
    )
    const rejected = logs.map((l) => JSON.parse(l)).filter((l) => l.msg === "update rejected")
    expect(rejected.map(({ time: _, ...rest }) => rest)).toEqual([
      { level: "warn", msg: "update rejected", updateId: 930301, reason: "too_deep" },
      { level: "warn", msg: "update rejected", updateId: 930301, reason: "too_deep" },
    ])
  })

  test("polling: updates that cannot be stored as sent do not hold the offset; the good one after them is answered", async () => {
    bot = await startBot({ backend, mode: "polling" })
    const nested = (depth: number): unknown => (depth === 0 ? "x" : [nested(depth - 1)])
    const deep = { ...textUpdate("hi", { chatId: 9304, userId: 9304 }), x: nested(200) }
    const lone = textUpdate("\ud83d привет", { chatId: 9305, userId: 9305 })
    bot.tg.pushUpdate(deep)
    bot.tg.pushUpdate(lone)
    expect((await bot.user(9306).send("/start")).map((m) => m.text)).toEqual([authTexts.askPassword])
    await waitFor("the sanitised update answered", () => bot!.tg.chat(9305).length === 1, 5000)
    expect(bot.tg.chat(9304)).toEqual([])
  })

  test("a value PostgreSQL refuses as jsonb is told apart from any other failure", async () => {
    bot = await startBot({ backend })
    const db = makeDb(bot.app.db, backend)
    const failureOf = (statement: ReturnType<typeof sql>) =>
      Effect.runPromise(Effect.flip(db.use("probe", (k) => statement.execute(k))))
    const refused = (error: Awaited<ReturnType<typeof failureOf>>, payload: unknown) =>
      Effect.runPromise(refusedValue(error, payload).pipe(Effect.provideService(Db, db)))
    const lone = { text: "\ud800" }
    expect(await refused(await failureOf(sql`select ${JSON.stringify(lone)}::text::jsonb`), lone)).toBe(true)
    // Also a data exception, but not about the payload: the update is retried, not dropped.
    expect(await refused(await failureOf(sql`select 1 / 0`), { text: "ok" })).toBe(false)
    expect(await refused(await failureOf(sql`select * from no_such_table`), lone)).toBe(false)
  })
})
