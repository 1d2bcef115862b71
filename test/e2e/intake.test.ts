import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test"
import { authTexts } from "../../src/auth/texts"
import { botCommands } from "../../src/nav/command-menu"
import { texts } from "../../src/nav/texts"
import { backends } from "../support/database"
import { startBot, type TestBot, textsOf, USER_PASSWORD, WEBHOOK_SECRET } from "../support/harness"
import { stickerUpdate, textUpdate } from "../support/updates"

// Each file boots the real app (the first PGlite boot of a run alone takes seconds); set per file, as bun
// applies setDefaultTimeout only to the file that calls it.
setDefaultTimeout(30_000)

const post = (url: string, body: unknown, secret?: string) =>
  fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(secret ? { "x-telegram-bot-api-secret-token": secret } : {}),
    },
    body: JSON.stringify(body),
  })

/** Every sample line of the Prometheus text format: `name{labels} value`. */
const PROMETHEUS_SAMPLE =
  /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? [-+0-9.eEInfNa]+$/

describe.each(backends)("intake, webhook and ops endpoints (%s)", (backend) => {
  let bot: TestBot
  afterEach(async () => bot?.stop())

  test("webhook without or with a wrong secret → 401 and nothing is processed", async () => {
    bot = await startBot({ backend })
    const update = textUpdate("/start", { chatId: 201, userId: 201 })
    expect((await post(bot.webhookUrl, update)).status).toBe(401)
    expect((await post(bot.webhookUrl, update, "wrong-secret")).status).toBe(401)
    expect((await post(bot.webhookUrl, { hello: 1 }, WEBHOOK_SECRET)).status).toBe(400)
    await bot.app.whenIdle()
    expect(bot.tg.callsOf("sendMessage")).toEqual([])
    expect((await post(bot.webhookUrl, update, WEBHOOK_SECRET)).status).toBe(200)
  })

  test("setWebhook registers the secret, the allowed updates and keeps pending updates", async () => {
    bot = await startBot({ backend })
    const call = bot.tg.callsOf("setWebhook")[0]
    expect(call?.params).toMatchObject({
      url: "https://bot.example.test/webhook",
      secret_token: WEBHOOK_SECRET,
      allowed_updates: ["message", "callback_query"],
      drop_pending_updates: false,
    })
    expect(bot.tg.callsOf("setMyCommands")[0]?.params.commands).toEqual(botCommands())
    await bot.stop()
    expect(bot.tg.callsOf("deleteWebhook")).toEqual([])
  })

  test("the same update delivered twice → one reply", async () => {
    bot = await startBot({ backend })
    const update = textUpdate("/start", { chatId: 202, userId: 202 })
    const [a, b] = await Promise.all([bot.deliver(update), bot.deliver(update)])
    expect([a?.status, b?.status]).toEqual([200, 200])
    await bot.deliver(update)
    await bot.app.whenIdle()
    expect(bot.tg.callsOf("sendMessage").map((c) => c.params.text)).toEqual([authTexts.askPassword])
  })

  test("polling mode: updates are fetched, answered, and the webhook is not kept", async () => {
    bot = await startBot({ backend, mode: "polling" })
    expect(bot.tg.callsOf("deleteWebhook")[0]?.params).toMatchObject({ drop_pending_updates: false })
    const anya = bot.user(203)
    expect(textsOf(await anya.send("/start"))).toEqual([authTexts.askPassword])
  })

  test("/health, /ready and /metrics answer; metrics parse as Prometheus text", async () => {
    bot = await startBot({ backend })
    await bot.user(204).send("/start")
    expect((await fetch(`${bot.opsUrl}/health`)).status).toBe(200)
    const ready = await fetch(`${bot.opsUrl}/ready`)
    expect([ready.status, await ready.json()]).toEqual([200, { status: "ready" }])
    const metrics = await fetch(`${bot.opsUrl}/metrics`)
    expect(metrics.headers.get("content-type")).toContain("text/plain")
    const body = await metrics.text()
    const samples = body.split("\n").filter((l) => l !== "" && !l.startsWith("#"))
    expect(samples.filter((l) => !PROMETHEUS_SAMPLE.test(l))).toEqual([])
    expect(body).toContain('bot_updates_total{type="message",outcome="ok"} 1')
    expect(body).toContain("bot_inbox_backlog 0")
    expect(body).toContain('bot_telegram_api_calls_total{method="sendMessage",outcome="ok"} 1')
  })

  test("rate limit: past MAX_REQUESTS_PER_MINUTE the user is told once, then dropped quietly", async () => {
    bot = await startBot({ backend, env: { MAX_REQUESTS_PER_MINUTE: "3" } })
    const anya = bot.user(205)
    await anya.send("/start")
    await anya.send(USER_PASSWORD)
    await anya.send("/whoami")
    expect(textsOf(await anya.send("/whoami"))).toEqual([texts.rateLimited("minute", 1)])
    expect(await anya.send("/whoami")).toEqual([])
    const metrics = await (await fetch(`${bot.opsUrl}/metrics`)).text()
    expect(metrics).toContain('bot_rate_limit_blocks_total{limit_type="minute"} 2')
  })

  test("validation: too long, too many lines and unsupported messages get a friendly hint", async () => {
    bot = await startBot({ backend, env: { TEXT_MAX_LENGTH: "20", TEXT_MAX_LINES: "2" } })
    const anya = bot.user(206)
    await anya.send("/start")
    await anya.send(USER_PASSWORD)
    expect(textsOf(await anya.send("а".repeat(21)))).toEqual([texts.rejected("too_long", 20)])
    expect(textsOf(await anya.send("a\nb\nc"))).toEqual([texts.rejected("too_many_lines", 2)])
    expect(textsOf(await anya.sendUpdate(stickerUpdate({ chatId: 206, userId: 206 })))).toEqual([
      texts.unsupported.media,
    ])
    expect(textsOf(await anya.send("просто текст"))).toEqual([texts.fallback])
  })
})
