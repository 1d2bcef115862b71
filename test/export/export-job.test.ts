import { afterAll, afterEach, describe, expect, setDefaultTimeout, test } from "bun:test"
import { sheets } from "@googleapis/sheets"
import type { Env } from "../../src/config/config"
import { type ExportEnv, makeSheetsExportJob } from "../../src/export/export-job"
import { SHEET_TITLES } from "../../src/export/sheets-data.repo"
import { useRepositoryDatabase } from "../repositories/database"
import { backends } from "../support/database"
import { authorisedGoogleClient, startFakeSheets } from "../support/fake-sheets"
import { NOW, seedExportData } from "./seed"

// The first PGlite boot of a run takes seconds; bun applies this to this file only.
setDefaultTimeout(30_000)

const fake = startFakeSheets()
afterEach(() => {
  fake.reset()
  fake.spreadsheets.clear()
})
afterAll(() => fake.stop())

const authorised = authorisedGoogleClient
// The app's validated config fits the job's env (checked by tsc).
export const fromConfig = (config: Env): ExportEnv => config
const env: ExportEnv = {
  GSHEETS_SPREADSHEET_NAME: "EMCO статистика",
  GSHEETS_SHARE_WITH: "hr@example.com, lead@example.com",
  GSHEETS_ALLOW_CREATE: true,
}
/** Reads a tab back through the real client, as a person opening the sheet would see it. */
const readBack = async (spreadsheetId: string, title: string) => {
  const api = sheets({ version: "v4", auth: authorised(), rootUrl: `${fake.url}/` })
  const range = `'${title.replaceAll("'", "''")}'`
  return (await api.spreadsheets.values.get({ spreadsheetId, range })).data.values ?? []
}

describe.each(backends)("Sheets export job end to end (%s)", (backend) => {
  const db = useRepositoryDatabase(backend)
  const job = (auth = true) =>
    makeSheetsExportJob({
      db: db(),
      env,
      ...(auth ? { auth: authorised() } : {}),
      rootUrl: `${fake.url}/`,
      drive: { rootUrl: fake.url },
    })

  test("database → every sheet with its header and rows, in one clear and one write", async () => {
    const { attemptIds } = await seedExportData(db())
    const result = await job()(NOW)
    expect(result).toMatchObject({ created: true, sheets: SHEET_TITLES.length, shareFailed: [] })
    const book = fake.spreadsheets.get(result.spreadsheetId)!
    expect(book.sheets.map((s) => s.title)).toEqual([...SHEET_TITLES])
    expect(book.permissions.map((p) => p.emailAddress)).toEqual(["hr@example.com", "lead@example.com"])
    expect(fake.requestsTo("values:batchClear")).toHaveLength(1)
    expect(fake.requestsTo("values:batchUpdate")).toHaveLength(1)

    const summary = await readBack(result.spreadsheetId, "Summary")
    expect(summary.slice(-5)).toEqual([
      ["Активность пользователей:"],
      ["Активны за 7 дней", "2"],
      ["Активны за 30 дней", "3"],
      ["С оценками бота", "3"],
      ["С активностью в кейсах", "4"],
    ])
    expect(await readBack(result.spreadsheetId, "RatingsByQuestion")).toEqual([
      ["Вопрос", "Всего ответов", "Средняя оценка", "Мин", "Макс"],
      ["q1_useful", "3", "8", "7", "9"],
      ["q2_clear", "2", "5.5", "5", "6"],
      ["q3_recommend", "3", "7.67", "7", "8"],
    ])
    const comments = await readBack(result.spreadsheetId, "Комментарии")
    expect(comments.map((r) => r[3])).toEqual([
      "Дата/время (МСК)",
      "15.06.2025 14:00",
      "13.06.2025 15:00",
      "10.06.2025 11:30",
    ])
    const attempts = await readBack(result.spreadsheetId, "Attempts")
    expect(attempts.slice(1).map((r) => [r[0], r[1], r[3], r[7], r[13]])).toEqual([
      [String(attemptIds[0]), "1", "fb-peer", "все шаги", "gpt-5-mini / gemini-2.5-pro"],
      [String(attemptIds[1]), "9", "career-dialog", "реплики кончились", "— / —"],
    ])
  })

  test("the next run reuses the spreadsheet and shows the new state", async () => {
    await seedExportData(db())
    const run = job()
    const first = await run(NOW)
    await db().deleteFrom("rating_comments").execute()
    fake.reset()
    const second = await run(NOW)
    expect(second.spreadsheetId).toBe(first.spreadsheetId)
    expect(fake.requestsTo("/v4/spreadsheets").filter((r) => r.path === "/v4/spreadsheets")).toHaveLength(0)
    expect(await readBack(second.spreadsheetId, "Комментарии")).toEqual([
      ["Пользователь", "Имя", "Комментарий", "Дата/время (МСК)"],
    ])
  })

  test("no credentials in the env → no_credentials, nothing sent", async () => {
    const error = await job(false)(NOW).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toMatchObject({ _tag: "SheetsExportError", reason: "no_credentials" })
    expect((error as Error).message).toContain("GSPREAD_SERVICE_ACCOUNT_FILE")
    expect(fake.requests).toHaveLength(0)
  })
})
