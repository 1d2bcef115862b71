import { describe, expect, setDefaultTimeout, test } from "bun:test"
import { exportTexts } from "../../src/export/export-texts"
import { backends } from "../support/database"
import { ADMIN_PASSWORD, testEnv } from "../support/harness"
import type { BotProcess } from "../support/process"
import { useProcessFixture } from "../support/process-fixture"
import { processLearner } from "../support/process-learner"
import { waitFor } from "../support/wait"

setDefaultTimeout(120_000)

/**
 * `/export xlsx` is background work: a bot killed (kill -9) while the file is on its way to Telegram leaves it to the
 * next start, which sends the file once.
 */
describe.each(backends)("a file export across kill -9, real processes (%s)", (backend) => {
  const fx = useProcessFixture()

  test("kill -9 while the workbook is being uploaded → after the restart exactly one file arrives", async () => {
    const tg = await fx.botApi()
    const database = await fx.database(backend)
    // A short work lease: the new instance takes the dead one's work over within seconds on PostgreSQL too.
    const env = { ...testEnv(tg, database, "webhook"), LOG_LEVEL: "info" }
    let current: BotProcess = fx.spawn(env)
    let port = Number((await current.waitForLog("bot started")).webhookPort)
    const admin = processLearner(tg, () => port, 1401)
    await admin.send("/start")
    await admin.send(ADMIN_PASSWORD)
    await admin.waitForTexts("the welcome", (t) => t.startsWith("👋 Привет"))

    // The upload takes 6 s: the kill lands mid-way, and the cut-off upload never becomes a message.
    tg.delayNext("sendDocument", 6_000)
    await admin.send("/export xlsx")
    await admin.waitForTexts("the export started", (t) => t === exportTexts.started("xlsx"))
    await waitFor("the upload in flight", () => tg.calls.some((c) => c.method === "sendDocument"))
    current.proc.kill("SIGKILL")
    await current.exited
    const killedAt = Date.now()
    const documents = () => tg.chat(1401).filter((m) => m.kind === "document")
    expect(documents()).toEqual([])

    current = fx.spawn(env)
    port = Number((await current.waitForLog("bot started")).webhookPort)
    await waitFor("the workbook", () => documents().length >= 1, 90_000)
    // Give a second copy every chance to show up: past the cut-off upload's end, two work sweeps and a lease.
    await Bun.sleep(Math.max(3000, killedAt + 7000 - Date.now()))
    expect(documents()).toHaveLength(1)
    expect(documents()[0]!.file?.name).toMatch(/\.xlsx$/)
    expect(admin.screen().filter((m) => m.text === exportTexts.failed)).toEqual([])
  })
})
