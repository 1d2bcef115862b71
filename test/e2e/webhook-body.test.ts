import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test"
import { readFileSync } from "node:fs"
import { type FreshDatabase, freshDatabase } from "../support/database"
import { type FakeBotApi, startFakeBotApi } from "../support/fake-bot-api"
import { testEnv, WEBHOOK_SECRET } from "../support/harness"
import { type BotProcess, spawnBot } from "../support/process"
import { rawPost } from "../support/raw-http"
import { textUpdate } from "../support/updates"

setDefaultTimeout(60_000)

const MB = 1024 * 1024

/** Resident memory of a process, in bytes (Linux). */
const rssOf = (pid: number) =>
  Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]) * 1024

/** The webhook of a real process: what reaches it before the secret and the size are checked. */
describe("webhook bodies (a real process)", () => {
  let tg: FakeBotApi
  let database: FreshDatabase
  let bot: BotProcess
  let port: number
  let opsPort: number
  const post = (options: {
    bodyBytes: number
    secret?: string
    chunked?: boolean
    declaredLength?: number
    headers?: Record<string, string>
  }) =>
    rawPost({
      port,
      path: "/webhook",
      ...options,
      headers: {
        ...(options.secret ? { "X-Telegram-Bot-Api-Secret-Token": options.secret } : {}),
        ...options.headers,
      },
    })

  beforeAll(async () => {
    tg = await startFakeBotApi()
    database = await freshDatabase("pglite")
    bot = spawnBot({ ...testEnv(tg, database, "webhook"), LOG_LEVEL: "info" })
    const started = await bot.waitForLog("bot started")
    port = Number(started.webhookPort)
    opsPort = Number(started.metricsPort)
  })
  afterAll(async () => {
    bot?.proc.kill("SIGKILL")
    await bot?.exited
    await tg?.stop()
    await database?.drop()
  })

  test("a wrong secret with a 100 MB body → 401 at once, the body left unread", async () => {
    const answer = await post({ bodyBytes: 100 * MB, secret: "wrong-secret" })
    expect(answer.status).toBe(401)
    // What the socket buffers took before the answer; nowhere near the body.
    expect(answer.sentBytes).toBeLessThan(16 * MB)
    expect(answer.ms).toBeLessThan(2000)
  })

  test("over 1 MB → 413: a declared Content-Length at once, a chunked body as soon as it passes 1 MB", async () => {
    const declared = await post({ bodyBytes: 64 * 1024, declaredLength: 2 * MB, secret: WEBHOOK_SECRET })
    expect([declared.status, declared.sentBytes]).toEqual([413, 64 * 1024])
    const chunked = await post({ bodyBytes: 2 * MB, chunked: true, secret: WEBHOOK_SECRET })
    expect(chunked.status).toBe(413)
    // An update under the limit still goes through.
    const update = JSON.stringify({
      ...textUpdate("/start", { chatId: 9401, userId: 9401 }),
      pad: "x".repeat(MB - 4096),
    })
    const ok = await fetch(`http://127.0.0.1:${port}/webhook`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": WEBHOOK_SECRET },
      body: update,
    })
    expect(ok.status).toBe(200)
  })

  test("a chunked body that also declares a small Content-Length → still refused past 1 MB, never read whole", async () => {
    const answer = await post({
      bodyBytes: 100 * MB,
      chunked: true,
      secret: WEBHOOK_SECRET,
      headers: { "Content-Length": "100" },
    })
    expect([400, 413]).toContain(answer.status ?? 0)
    expect(answer.sentBytes).toBeLessThan(16 * MB)
  })

  test("six parallel 100 MB streamed posts → each refused, resident memory grows by under 100 MB", async () => {
    const pid = bot.proc.pid
    const before = rssOf(pid)
    let peak = before
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssOf(pid))
    }, 10)
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => post({ bodyBytes: 100 * MB, chunked: true, secret: WEBHOOK_SECRET })),
    )
    clearInterval(sampler)
    peak = Math.max(peak, rssOf(pid))
    console.log(`RSS ${Math.round(before / MB)} MB → peak ${Math.round(peak / MB)} MB`)
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(413))
    expect(peak - before).toBeLessThan(100 * MB)
    expect((await fetch(`http://127.0.0.1:${opsPort}/ready`)).status).toBe(200)
  })
})
