import { expect, test } from "bun:test"
import { Registry } from "prom-client"
import { startOpsServer } from "../../src/intake/start-intake"
import { StartupError } from "../../src/startup"

const deps = {
  lifecycle: () => "ready" as const,
  pingDb: async () => undefined,
  registry: new Registry(),
  onError: () => {},
}

test("a second server on a port in use is refused, naming the variable (no silent sharing of the port)", async () => {
  const first = startOpsServer(deps, 0)
  try {
    let refused: unknown
    try {
      startOpsServer(deps, first.port).stop()
    } catch (error) {
      refused = error
    }
    expect(refused).toBeInstanceOf(StartupError)
    expect((refused as Error).message).toContain(`Порт ${first.port} (METRICS_PORT) занят`)
    // The first one still answers alone.
    expect((await fetch(`http://127.0.0.1:${first.port}/health`)).status).toBe(200)
  } finally {
    await first.stop()
  }
})
