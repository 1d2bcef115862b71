import { describe, expect, setDefaultTimeout, test } from "bun:test"
import { testEnv } from "../support/harness"
import { unusedPort } from "../support/ports"
import { useProcessFixture } from "../support/process-fixture"

setDefaultTimeout(60_000)

/**
 * Two real bots asked for the same port: the second refuses, naming the variable (the web framework's default let
 * both listen and take the port's connections in turns), and the first keeps answering there alone.
 */
describe("a port in use, real processes", () => {
  const fx = useProcessFixture()

  test("a second bot on the first one's METRICS_PORT refuses to start, naming it", async () => {
    const tg = await fx.botApi()
    const port = String(unusedPort())
    const first = fx.spawn({
      ...testEnv(tg, await fx.database("pglite"), "webhook"),
      METRICS_PORT: port,
      LOG_LEVEL: "info",
    })
    await first.waitForLog("bot started")
    const second = fx.spawn({ ...testEnv(tg, await fx.database("pglite"), "webhook"), METRICS_PORT: port })
    expect(await second.exited).toBe(1)
    expect(await second.stderr()).toContain(`Порт ${port} (METRICS_PORT) занят`)
    for (let i = 0; i < 4; i++) expect((await fetch(`http://127.0.0.1:${port}/ready`)).status).toBe(200)
  })
})
