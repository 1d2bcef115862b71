import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test"
import { backends } from "../support/database"
import { authorisedGoogleClient, type FakeSheets, startFakeSheets } from "../support/fake-sheets"
import { ADMIN_PASSWORD, startBot, type TestBot, textsOf } from "../support/harness"

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

  test("no credentials configured → a clear error for the admin, no raw exception", async () => {
    bot = await startBot({ backend })
    const boss = bot.user(1202, "Олег")
    await boss.send("/start")
    await boss.send(ADMIN_PASSWORD)
    const shown = textsOf(await boss.send("/export"))
    expect(shown.at(-1)).toStartWith("❌ Выгрузка не удалась:")
    expect(shown.at(-1)).toContain("GSPREAD_SERVICE_ACCOUNT")
  })
})
