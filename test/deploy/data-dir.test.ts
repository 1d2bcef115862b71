import { describe, expect, setDefaultTimeout, test } from "bun:test"
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { useProcessFixture } from "../support/process-fixture"

setDefaultTimeout(30_000)

// Root writes anywhere: as root the bot runs as nobody (as in a container with a volume owned by someone else);
// as any other account a read-only folder does the same. Root without setpriv cannot show it.
const SETPRIV = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"]
const asRoot = process.getuid?.() === 0
const switchable =
  asRoot && Bun.which("setpriv") !== null && Bun.spawnSync([...SETPRIV, "test", "-r", "src/main.ts"]).success
const how = asRoot ? "run as nobody (uid 65534), folder owned by root" : "a read-only folder"

describe("an unwritable DATA_DIR (PGlite)", () => {
  const fx = useProcessFixture()

  test.skipIf(asRoot && !switchable)(
    `a clear message naming the folder and the uid, exit 1, no stack trace (${how})`,
    async () => {
      const tg = await fx.botApi()
      const root = mkdtempSync(join(tmpdir(), "emco-data-dir-"))
      chmodSync(root, 0o755)
      fx.onTeardown(() => rmSync(root, { recursive: true, force: true }))
      // The folder itself, and a pglite folder left by another user in a writable one.
      const readOnly = join(root, "data")
      mkdirSync(readOnly)
      const foreign = join(root, "shared")
      mkdirSync(join(foreign, "pglite"), { recursive: true })
      chmodSync(foreign, 0o777)
      if (!asRoot) {
        chmodSync(readOnly, 0o555)
        chmodSync(join(foreign, "pglite"), 0o555)
      }
      for (const [dataDir, unwritable] of [
        [readOnly, readOnly],
        [foreign, join(foreign, "pglite")],
      ] as const) {
        const bot = fx.spawn(
          {
            BOT_TOKEN: "123456:TEST-token",
            OPENAI_API_KEY: "sk-test",
            TELEGRAM_API_ROOT: tg.url,
            DATA_DIR: dataDir,
          },
          switchable ? { command: [...SETPRIV, "bun", "src/main.ts"] } : {},
        )
        expect(await bot.exited).toBe(1)
        const stderr = await bot.stderr()
        expect(stderr).toContain(`недоступна для записи: ${unwritable} (DATA_DIR`)
        expect(stderr).toContain(`is not writable: ${unwritable} (DATA_DIR`)
        expect(stderr).toContain(`uid ${switchable ? 65534 : process.getuid?.()}`)
        expect(stderr).not.toMatch(/^\s+at /m)
        expect(tg.calls).toEqual([])
      }
    },
  )
})

describe("a start that cannot work leaves nothing behind", () => {
  const fx = useProcessFixture()

  test("no AI key → the clear message, exit 1, and no database created in DATA_DIR", async () => {
    const tg = await fx.botApi()
    const root = mkdtempSync(join(tmpdir(), "emco-no-ai-key-"))
    fx.onTeardown(() => rmSync(root, { recursive: true, force: true }))
    const dataDir = join(root, "data")
    const bot = fx.spawn({ BOT_TOKEN: "123456:TEST-token", TELEGRAM_API_ROOT: tg.url, DATA_DIR: dataDir })
    expect(await bot.exited).toBe(1)
    expect(await bot.stderr()).toContain("не задан ни один ключ ИИ")
    expect(existsSync(join(dataDir, "pglite"))).toBe(false)
    expect(tg.calls).toEqual([])
  })

  test("no AI key and no BOT_TOKEN → both listed at once, not one per start", async () => {
    const root = mkdtempSync(join(tmpdir(), "emco-no-keys-"))
    fx.onTeardown(() => rmSync(root, { recursive: true, force: true }))
    const bot = fx.spawn({ DATA_DIR: join(root, "data") })
    expect(await bot.exited).toBe(1)
    const said = await bot.stderr()
    expect(said).toContain("BOT_TOKEN: не задана")
    expect(said).toContain("не задан ни один ключ ИИ")
  })
})
