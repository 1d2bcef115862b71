import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test"
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { authTexts } from "../../src/auth/texts"
import { fields } from "../../src/config/fields"
import { WEBHOOK_SECRET } from "../support/harness"
import { unusedPort } from "../support/ports"
import { useProcessFixture } from "../support/process-fixture"
import { textUpdate } from "../support/updates"
import { type Image, replayDockerfile, type UserMap } from "./docker-replay"

// A production install and PGlite's first boot in a fresh data directory take most of it.
setDefaultTimeout(60_000)

const root = join(import.meta.dir, "..", "..")

// oven/bun's /etc/passwd: the image's non-root user. CI runs as root, so the switch to it is real there; a
// developer's own account cannot switch (or chown), and then everything runs as that account.
const IMAGE_USERS: Record<string, { uid: number; gid: number }> = {
  root: { uid: 0, gid: 0 },
  bun: { uid: 1000, gid: 1000 },
}
const workRoot = mkdtempSync(join(tmpdir(), "emco-image-"))
chmodSync(workRoot, 0o755)
// The switch also needs the temporary folder to be reachable for that user (a TMPDIR under /root is not).
const canSwitch =
  process.getuid?.() === 0 &&
  Bun.which("setpriv") !== null &&
  Bun.spawnSync(["setpriv", "--reuid=1000", "--regid=1000", "--clear-groups", "--", "test", "-x", workRoot])
    .success
const users: UserMap = {
  idsOf: (user) => {
    const ids = IMAGE_USERS[user]
    if (!ids) throw new Error(`user ${user} is not in the base image`)
    return canSwitch ? ids : { uid: process.getuid!(), gid: process.getgid!() }
  },
  runAs: (user) => {
    const { uid, gid } = users.idsOf(user)
    return canSwitch && uid !== 0
      ? ["setpriv", `--reuid=${uid}`, `--regid=${gid}`, "--clear-groups", "--"]
      : []
  },
}
const runsAs = canSwitch ? "as the image's user bun (uid 1000)" : "as this account (no user switch possible)"

describe("the Dockerfile, replayed without Docker", () => {
  afterAll(() => rmSync(workRoot, { recursive: true, force: true }))
  const log: string[] = []
  let image: Image | undefined
  const fx = useProcessFixture()

  test("build: every stage on the pinned Bun; the deps stage installs from bun.lock with its patches; production deps only", () => {
    try {
      image = replayDockerfile({ context: root, workRoot, users, log: (l) => log.push(l) })
    } finally {
      console.log(log.join("\n"))
    }
    // RUN and CMD use the bun on PATH: the one FROM names.
    const onPath = Bun.spawnSync(["bun", "--version"]).stdout.toString().trim()
    expect(image.stages.map((s) => s.image)).toEqual(image.stages.map(() => `oven/bun:${onPath}`))
    const app = image.hostPath(image.workdir)
    expect(existsSync(join(app, "node_modules/postgres/package.json"))).toBe(true)
    // devDependencies stay out of the image (typescript does not: Elysia asks for it as an optional peer); so do
    // tests, .env and local data (.dockerignore).
    for (const absent of [
      "node_modules/@biomejs",
      "node_modules/pdfkit",
      "node_modules/marked",
      "test",
      ".env",
      "data",
    ])
      expect({ absent, present: existsSync(join(app, absent)) }).toEqual({ absent, present: false })
  })

  test("ports: EXPOSE is the config's defaults, all unprivileged; amvera.yml routes to the webhook port", () => {
    const defaults: number[] = [fields.WEBHOOK_PORT.fallback!, fields.METRICS_PORT.fallback!]
    const exposed = readFileSync(join(root, "Dockerfile"), "utf8").match(/^EXPOSE\s+(.+)$/m)?.[1]
    expect(exposed?.split(/\s+/).map(Number)).toEqual(defaults)
    for (const port of defaults) expect(port).toBeGreaterThanOrEqual(1024)
    const amvera = readFileSync(join(root, "amvera.yml"), "utf8")
    expect(amvera.match(/containerPort:\s*"?(\d+)/)?.[1]).toBe(String(fields.WEBHOOK_PORT.fallback))
  })

  test(`run: the image's CMD and ENV ${runsAs} → /ready 200, an update answered, HEALTHCHECK ok, STOPSIGNAL → exit 0`, async () => {
    if (!image) throw new Error("no image: the build failed")
    const { hostPath } = image
    const home = hostPath(`/home/${image.user}`)
    mkdirSync(home, { recursive: true })
    Bun.spawnSync(["chown", `${users.idsOf(image.user).uid}:${users.idsOf(image.user).gid}`, home])
    const tg = await fx.botApi()
    const [webhookPort, metricsPort] = [unusedPort(), unusedPort()]
    // What an operator passes with `docker run -e`; the rest is the image's own ENV.
    const env: Record<string, string> = {
      ...image.env,
      HOME: home,
      BOT_TOKEN: "123456:TEST-token-for-fake-api",
      OPENAI_API_KEY: "sk-test-key",
      AUTH_PASSWORD_USER: "user-pass-1",
      TELEGRAM_API_ROOT: tg.url,
      WEBHOOK_ENABLED: "true",
      WEBHOOK_HOST: "https://bot.example.test",
      WEBHOOK_SECRET,
      WEBHOOK_PORT: String(webhookPort),
      METRICS_PORT: String(metricsPort),
      LOG_LEVEL: "info",
    }
    console.log(`running ${image.cmd.join(" ")} ${runsAs} in ${hostPath(image.workdir)}`)
    const bot = fx.spawn(env, {
      command: [...users.runAs(image.user), ...image.cmd],
      cwd: hostPath(image.workdir),
    })
    // The image's fresh /data starts as a copy of the template the build prepared: no initdb (~1 GB) in the container.
    expect((await bot.waitForLog("database ready", 45_000)).seeded).toBe("template")
    await bot.waitForLog("bot started", 45_000)
    const uid = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${bot.proc.pid}/status`, "utf8"))?.[1]
    expect(Number(uid)).toBe(users.idsOf(image.user).uid)
    expect((await fetch(`http://127.0.0.1:${metricsPort}/ready`)).status).toBe(200)
    const sent = await fetch(`http://127.0.0.1:${webhookPort}/webhook`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": WEBHOOK_SECRET },
      body: JSON.stringify(textUpdate("/start", { chatId: 901, userId: 901 })),
    })
    expect(sent.status).toBe(200)
    await tg.waitFor("sendMessage", (c) => c.params.text === authTexts.askPassword, 10_000)
    expect(existsSync(join(env.DATA_DIR!, "pglite"))).toBe(true)
    const health = Bun.spawnSync([...users.runAs(image.user), ...image.healthcheck!], { env })
    expect(health.exitCode).toBe(0)
    bot.proc.kill(image.stopSignal)
    expect(await bot.exited).toBe(0)
  })
})
