import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { useProcessFixture } from "../support/process-fixture"

// A full `bun install` (from bun's cache) and PGlite's first boot in a fresh ./data.
setDefaultTimeout(60_000)

const root = join(import.meta.dir, "..", "..")

/** The one-line start from README «Быстрый старт», as a reader copies it. */
const quickStartLine = () => {
  const readme = readFileSync(join(root, "README.md"), "utf8")
  const section = readme.slice(readme.indexOf("## Быстрый старт"))
  const line = /```sh\n(.+)\n```/.exec(section)?.[1]
  if (!line) throw new Error("README «Быстрый старт»: no ```sh block")
  return line
}

// What a reader puts instead of each «…».
const VALUES: Record<string, string> = {
  BOT_TOKEN: "123456:TEST-token-for-fake-api",
  AUTH_PASSWORD_USER: "user-pass-1",
  OPENAI_API_KEY: "sk-test-key",
}

describe("README quick start on a clean clone", () => {
  const dir = mkdtempSync(join(tmpdir(), "emco-clone-"))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const fx = useProcessFixture()
  const pinned = `npm install -g bun@${Bun.version} && `
  const bunIsPinned = Bun.spawnSync(["bun", "--version"]).stdout.toString().trim() === Bun.version

  test(`the README line starts the bot, SIGTERM → exit 0 (${bunIsPinned ? `bun ${Bun.version} is installed: its npm install is skipped` : "with its npm install"})`, async () => {
    const line = quickStartLine()
    // Checked before anything runs: an unpinned `npm install -g bun` would replace this machine's Bun.
    expect(line.startsWith(pinned)).toBe(true)
    const command = (bunIsPinned ? line.slice(pinned.length) : line).replace(
      /([A-Z_]+)=…/g,
      (_, name: string) => {
        const value = VALUES[name]
        if (value === undefined) throw new Error(`README quick start: no test value for ${name}`)
        return `${name}=${value}`
      },
    )
    // A CI checkout may belong to another user than the one running the tests.
    const git = ["git", "-c", "safe.directory=*"]
    const head = Bun.spawnSync([...git, "rev-parse", "HEAD"], { cwd: root })
      .stdout.toString()
      .trim()
    const clone = join(dir, "repo")
    for (const step of [
      [...git, "clone", "--quiet", root, clone],
      [...git, "-C", clone, "checkout", "--quiet", "--detach", head],
    ])
      expect(Bun.spawnSync(step).exitCode).toBe(0)
    const tg = await fx.botApi()
    console.log(`in a clone of ${head.slice(0, 8)}: ${command}`)
    // Only the Bot API address is not in the line (and the ops port: tests run side by side).
    const bot = fx.spawn(
      { TELEGRAM_API_ROOT: tg.url, METRICS_PORT: "0" },
      { command: ["sh", "-c", command], cwd: clone },
    )
    // `bun install` prepared the embedded database's template: the first start copies it instead of running initdb.
    expect((await bot.waitForLog("database ready", 55_000)).seeded).toBe("template")
    const started = await bot.waitForLog("bot started", 55_000)
    expect(started.mode).toBe("polling")
    expect((await fetch(`http://127.0.0.1:${started.metricsPort}/ready`)).status).toBe(200)
    expect(tg.callsOf("getUpdates").length).toBeGreaterThan(0)
    process.kill(Number(started.pid), "SIGTERM")
    expect(await bot.exited).toBe(0)
  })
})
