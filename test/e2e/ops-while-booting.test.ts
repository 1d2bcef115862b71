import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test"
import { startFakeBotApi } from "../support/fake-bot-api"
import { startBot } from "../support/harness"
import { unusedPort } from "../support/ports"
import { waitFor } from "../support/wait"

setDefaultTimeout(30_000)

describe("the ops endpoints answer while the bot boots", () => {
  // A Bot API that takes every request and never answers: getMe hangs until the start-up deadline.
  const silent = Bun.serve({ port: 0, fetch: () => new Promise<Response>(() => {}) })
  afterAll(() => silent.stop(true))

  test("Telegram unreachable at start → /health 200 and /ready 503 meanwhile; the failed start frees the port", async () => {
    const tg = await startFakeBotApi()
    const port = unusedPort()
    const booting = startBot({
      backend: "pglite",
      tg,
      env: { TELEGRAM_API_ROOT: `http://127.0.0.1:${silent.port}`, METRICS_PORT: String(port) },
      telegramStartupTimeoutMs: 3000,
    }).then(
      () => "started",
      () => "failed",
    )
    const ops = `http://127.0.0.1:${port}`
    await waitFor(
      "the ops server",
      () =>
        fetch(`${ops}/health`).then(
          (r) => r.ok,
          () => false,
        ),
      10_000,
    )
    expect(await (await fetch(`${ops}/health`)).json()).toEqual({ status: "ok" })
    const ready = await fetch(`${ops}/ready`)
    expect(ready.status).toBe(503)
    expect(await ready.json()).toEqual({ status: "starting" })
    expect(await booting).toBe("failed")
    // Nothing is left listening after a start that failed.
    expect(
      await fetch(`${ops}/health`).then(
        () => "answered",
        () => "refused",
      ),
    ).toBe("refused")
    await tg.stop()
  })
})
