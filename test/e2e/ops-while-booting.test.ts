import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test"
import { startFakeBotApi } from "../support/fake-bot-api"
import { startBot } from "../support/harness"
import { unusedPort } from "../support/ports"
import { waitFor } from "../support/wait"

setDefaultTimeout(30_000)

describe("the ops endpoints answer while the bot boots", () => {
  // A Bot API that holds every request until the test lets go, then rejects the token: the start is kept waiting
  // for as long as the test needs (however loaded the machine), then fails at once.
  let letGo: () => void = () => {}
  const released = new Promise<void>((resolve) => {
    letGo = resolve
  })
  const silent = Bun.serve({
    port: 0,
    fetch: async () => {
      await released
      return Response.json({ ok: false, error_code: 401, description: "Unauthorized" }, { status: 401 })
    },
  })
  afterAll(() => silent.stop(true))

  test("Telegram unreachable at start → /health 200 and /ready 503 meanwhile; the failed start frees the port", async () => {
    const tg = await startFakeBotApi()
    const port = unusedPort()
    const booting = startBot({
      backend: "pglite",
      tg,
      env: { TELEGRAM_API_ROOT: `http://127.0.0.1:${silent.port}`, METRICS_PORT: String(port) },
      telegramStartupTimeoutMs: 60_000,
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
      20_000,
    )
    expect(await (await fetch(`${ops}/health`)).json()).toEqual({ status: "ok" })
    const ready = await fetch(`${ops}/ready`)
    expect(ready.status).toBe(503)
    expect(await ready.json()).toEqual({ status: "starting" })
    letGo()
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
