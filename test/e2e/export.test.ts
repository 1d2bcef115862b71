import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test"
import { adminTexts } from "../../src/admin/texts"
import { backends } from "../support/database"
import { authorisedGoogleClient, type FakeSheets, startFakeSheets } from "../support/fake-sheets"
import { ADMIN_PASSWORD, startBot, type TestBot, textsOf } from "../support/harness"
import { captureLogLines } from "../support/log-lines"
import { textUpdate } from "../support/updates"
import { waitFor } from "../support/wait"

// Each file boots the real app; bun applies setDefaultTimeout only to the file that calls it.
setDefaultTimeout(30_000)

const authorised = authorisedGoogleClient

describe.each(backends)("/export end to end (%s)", (backend) => {
  let bot: TestBot
  let sheets: FakeSheets
  afterEach(async () => {
    await bot?.stop()
    await sheets?.stop()
  })

  test("an admin's /export → every sheet written to the spreadsheet, the link shown; the chat never waits", async () => {
    sheets = startFakeSheets()
    const id = sheets.addSpreadsheet("EMCO", ["Sheet1"])
    bot = await startBot({
      backend,
      env: { GSHEETS_SPREADSHEET_ID: id },
      sheets: { auth: authorised(), rootUrl: `${sheets.url}/`, drive: { rootUrl: sheets.url } },
    })
    const boss = bot.user(1201, "Олег")
    await boss.send("/start")
    await boss.send(ADMIN_PASSWORD)
    const shown = textsOf(await boss.send("/export"))
    expect(shown[0]).toBe("📤 Выгружаю статистику в Google Таблицу…")
    expect(shown.at(-1)).toBe("✅ Выгрузка готова: открыть таблицу")
    for (const title of [
      "Summary",
      "UsersByRole",
      "RatingsByQuestion",
      "CaseStatistics",
      "TableStats",
      "Комментарии",
      "Attempts",
    ])
      expect(sheets.values(id, title)?.length ?? 0).toBeGreaterThan(0)
    expect(sheets.values(id, "UsersByRole")).toContainEqual(["admin", 1])
  })

  test("no credentials, or a spreadsheet the bot cannot open → Russian words for the admin (ask the operator, or take a file); the detail in one warning", async () => {
    sheets = startFakeSheets()
    const { lines, logSink } = captureLogLines()
    for (const [options, reason] of [
      [{}, "no_credentials"],
      [
        {
          env: { GSHEETS_SPREADSHEET_ID: "missing-sheet" },
          sheets: { auth: authorised(), rootUrl: `${sheets.url}/`, drive: { rootUrl: sheets.url } },
        },
        "not_found",
      ],
    ] as const) {
      bot = await startBot({ backend, logSink, ...options })
      const boss = bot.user(1202, "Олег")
      await boss.send("/start")
      await boss.send(ADMIN_PASSWORD)
      const shown = textsOf(await boss.send("/export")).at(-1)!
      expect(shown).toBe(`❌ Выгрузка в Google Таблицу не удалась: ${adminTexts.exportFailure[reason]}`)
      // Nothing an HR admin cannot act on: no variable names, no English, no HTTP codes.
      expect(shown).not.toMatch(/GSPREAD|GSHEETS|[A-Z]{3,}_|HTTP|spreadsheet|error/i)
      const warning = lines.filter((l) => l.msg === "google sheets export failed").at(-1)
      expect(warning).toMatchObject({ level: "warn", reason })
      expect(String(warning?.detail)).toMatch(
        reason === "no_credentials" ? /GSPREAD_SERVICE_ACCOUNT/ : /HTTP 404/,
      )
      await bot.stop()
    }
  })

  test("/export in flight when the bot stops → the next start finishes it: one result for the admin", async () => {
    sheets = startFakeSheets()
    const id = sheets.addSpreadsheet("EMCO", ["Sheet1"])
    const options = {
      backend,
      env: { GSHEETS_SPREADSHEET_ID: id, SHUTDOWN_TIMEOUT_SEC: "1" },
      sheets: { auth: authorised(), rootUrl: `${sheets.url}/`, drive: { rootUrl: sheets.url } },
    }
    const first = await startBot(options)
    const boss = first.user(1203, "Олег")
    await boss.send("/start")
    await boss.send(ADMIN_PASSWORD)
    sheets.failNext({ kind: "hang" })
    await first.deliver(textUpdate("/export", { chatId: 1203, userId: 1203, firstName: "Олег" }))
    await waitFor("the export's first request", () => sheets.requests.length > 0)
    await first.app.stop()
    bot = await startBot({ ...options, tg: first.tg, database: first.database })
    const done = "✅ Выгрузка готова: открыть таблицу"
    await waitFor("the export's result", () => textsOf(first.tg.chat(1203)).includes(done))
    await bot.app.whenIdle()
    await Bun.sleep(500)
    expect(textsOf(first.tg.chat(1203)).filter((t) => t === done)).toHaveLength(1)
    expect(textsOf(first.tg.chat(1203)).filter((t) => t.startsWith("❌"))).toHaveLength(0)
    // The first instance's fakes and database are this test's to clean up (the second shares them).
    await bot.stop()
    await first.tg.stop()
    await first.ai.stop()
    await first.database.drop()
  })
})
