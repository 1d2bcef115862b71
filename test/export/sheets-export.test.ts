import { afterAll, afterEach, describe, expect, setDefaultTimeout, test } from "bun:test"
import type { SheetsData } from "../../src/export/sheet-rows"
import {
  makeSheetsExporter,
  parseShareWith,
  SheetsExportError,
  type SheetsExporterOptions,
} from "../../src/export/sheets-export"
import { authorisedGoogleClient, startFakeSheets } from "../support/fake-sheets"

setDefaultTimeout(30_000)

const fake = startFakeSheets()
afterEach(() => {
  fake.reset()
  fake.spreadsheets.clear()
})
afterAll(() => fake.stop())

const authorised = authorisedGoogleClient
const exporter = (options: Omit<SheetsExporterOptions, "auth">) =>
  makeSheetsExporter({
    auth: authorised(),
    rootUrl: `${fake.url}/`,
    drive: { rootUrl: fake.url },
    ...options,
  })
const failure = (run: () => Promise<unknown>) =>
  run().then(
    () => undefined,
    (e: unknown) => e,
  )
const calls = () => fake.requests.map((r) => `${r.method} ${decodeURIComponent(r.path)}`)

const data = (comments = 3): SheetsData => ({
  Summary: [["Сгенерировано (UTC)", "2025-06-15T12:00:00.000Z"], [], ["Активны за 7 дней", 2]],
  UsersByRole: [
    ["Роль", "Количество"],
    ["admin", 1],
  ],
  Комментарии: [
    ["Пользователь", "Комментарий", "Дата/время"],
    ...Array.from({ length: comments }, (_, i) => [i, `текст ${i}`, "2025-06-15 11:00:05 UTC"]),
  ],
  "It's": [["x"]],
})

describe("makeSheetsExporter", () => {
  test("by id: adds missing tabs in one batchUpdate, then one batchClear and one RAW batchUpdate", async () => {
    const id = fake.addSpreadsheet("EMCO", ["Sheet1", "Summary"])
    const result = await exporter({ spreadsheetId: id }).export(data())
    expect(result).toEqual({
      spreadsheetId: id,
      url: `https://docs.google.com/spreadsheets/d/${id}/edit`,
      sheets: 4,
      rows: 3 + 2 + 4 + 1,
      created: false,
      shareFailed: [],
    })
    expect(calls()).toEqual([
      `GET /v4/spreadsheets/${id}`,
      `POST /v4/spreadsheets/${id}:batchUpdate`,
      `POST /v4/spreadsheets/${id}/values:batchClear`,
      `POST /v4/spreadsheets/${id}/values:batchUpdate`,
    ])
    const added = (fake.requestsTo(":batchUpdate")[0]!.body as { requests: { addSheet: unknown }[] }).requests
    expect(added.map((r) => r.addSheet)).toEqual(
      ["UsersByRole", "Комментарии", "It's"].map((title) => ({
        properties: { title, gridProperties: { rowCount: 100, columnCount: 20 } },
      })),
    )
    expect(fake.lastRequest("values:batchUpdate")?.body).toMatchObject({ valueInputOption: "RAW" })
    for (const [title, rows] of Object.entries(data())) expect(fake.values(id, title)).toEqual(rows)
    expect(fake.values(id, "Sheet1")).toEqual([])
  })

  test("a second run adds nothing and leaves no stale rows behind", async () => {
    const id = fake.addSpreadsheet("EMCO")
    const run = exporter({ spreadsheetId: id })
    await run.export(data(5))
    fake.reset()
    await run.export(data(1))
    expect(calls()).toEqual([
      `GET /v4/spreadsheets/${id}`,
      `POST /v4/spreadsheets/${id}/values:batchClear`,
      `POST /v4/spreadsheets/${id}/values:batchUpdate`,
    ])
    expect(fake.values(id, "Комментарии")).toEqual(data(1).Комментарии!)
  })

  test("a tab smaller than its data grows first (updateSheetProperties)", async () => {
    const id = fake.addSpreadsheet("EMCO", ["Summary", "UsersByRole", "Комментарии", "It's"])
    const big = data(1500)
    await exporter({ spreadsheetId: id }).export(big)
    const requests = (fake.lastRequest(`${id}:batchUpdate`)!.body as { requests: unknown[] }).requests
    expect(requests).toEqual([
      {
        updateSheetProperties: {
          properties: { sheetId: expect.any(Number), gridProperties: { rowCount: 1501, columnCount: 26 } },
          fields: "gridProperties.rowCount,gridProperties.columnCount",
        },
      },
    ])
    expect(fake.values(id, "Комментарии")).toHaveLength(1501)
  })

  test("by name: created with every tab and shared with each address of the list separately", async () => {
    const shareWith = parseShareWith(" a@example.com, b@example.org;c@example.net , a@example.com")
    expect(shareWith).toEqual(["a@example.com", "b@example.org", "c@example.net"])
    const result = await exporter({ name: "EMCO отчёт", shareWith }).export(data())
    expect(result.created).toBe(true)
    const book = fake.spreadsheets.get(result.spreadsheetId)!
    expect(book.title).toBe("EMCO отчёт")
    expect(book.sheets.map((s) => s.title)).toEqual(Object.keys(data()))
    expect(book.permissions).toEqual(
      shareWith.map((emailAddress) => ({ type: "user", role: "writer", emailAddress })),
    )
    expect(fake.requestsTo("/permissions")).toHaveLength(3)
    expect(fake.requestsTo(":batchUpdate").filter((r) => !r.path.includes("values"))).toHaveLength(0)
    for (const [title, rows] of Object.entries(data()))
      expect(fake.values(result.spreadsheetId, title)).toEqual(rows)
  })

  test("by name after a restart: found through Drive, not created or shared again", async () => {
    const first = await exporter({ name: "EMCO", shareWith: ["a@example.com"] }).export(data())
    fake.reset()
    const again = await exporter({ name: "EMCO", shareWith: ["a@example.com"] }).export(data(1))
    expect(again).toMatchObject({ spreadsheetId: first.spreadsheetId, created: false })
    expect(fake.spreadsheets.size).toBe(1)
    expect(fake.requestsTo("/permissions")).toHaveLength(0)
    expect(fake.lastRequest("/drive/v3/files")?.query.q).toBe(
      "name = 'EMCO' and mimeType = 'application/vnd.google-apps.spreadsheet' and trashed = false",
    )
  })

  test("a spreadsheet found by name and deleted since → not_found once, then created again", async () => {
    const run = exporter({ name: "EMCO" })
    const first = await run.export(data())
    fake.spreadsheets.delete(first.spreadsheetId)
    expect(await failure(() => run.export(data()))).toMatchObject({ reason: "not_found", status: 404 })
    const again = await run.export(data())
    expect(again.created).toBe(true)
    expect(again.spreadsheetId).not.toBe(first.spreadsheetId)
  })

  test("overlapping runs by name queue up: one spreadsheet, shared once", async () => {
    const run = exporter({ name: "EMCO", shareWith: ["a@example.com"] })
    fake.setLatency(20)
    const results = await Promise.all([run.export(data()), run.export(data(1))])
    expect(new Set(results.map((r) => r.spreadsheetId)).size).toBe(1)
    expect(fake.spreadsheets.size).toBe(1)
    expect(fake.requestsTo("/permissions")).toHaveLength(1)
    expect(fake.values(results[0].spreadsheetId, "Комментарии")).toEqual(data(1).Комментарии!)
  })

  test("one address that Drive refuses is reported; the others are shared and the export completes", async () => {
    fake.failNext({ kind: "status", status: 400 }, 1, "/permissions")
    const result = await exporter({ name: "EMCO", shareWith: ["bad@example.com", "ok@example.com"] }).export(
      data(),
    )
    expect(result.shareFailed).toEqual(["bad@example.com"])
    expect(fake.spreadsheets.get(result.spreadsheetId)?.permissions.map((p) => p.emailAddress)).toEqual([
      "ok@example.com",
    ])
  })

  test("not found: unknown id, name with creation off, neither id nor name", async () => {
    const cases = [{ spreadsheetId: "missing" }, { name: "Nope", allowCreate: false }, {}]
    for (const options of cases) {
      const error = await failure(() => exporter(options).export(data()))
      expect(error).toBeInstanceOf(SheetsExportError)
      expect(error).toMatchObject({ reason: "not_found" })
      expect((error as Error).message).toMatch(/[а-я].* \/ [a-z]/)
    }
    expect(fake.spreadsheets.size).toBe(0)
  })

  test.each([500, 429] as const)(
    "%d on the values write → api error; the next run rewrites everything",
    async (status) => {
      const id = fake.addSpreadsheet("EMCO")
      const run = exporter({ spreadsheetId: id })
      await run.export(data(4))
      fake.failNext({ kind: "status", status }, 1, "values:batchUpdate")
      const error = await failure(() => run.export(data(2)))
      expect(error).toMatchObject({ _tag: "SheetsExportError", reason: "api", status })
      expect((error as Error).message).toContain(`HTTP ${status}`)
      expect((error as Error).message).not.toContain("test-token")
      expect(fake.values(id, "Комментарии")).toEqual([])
      await run.export(data(2))
      for (const [title, rows] of Object.entries(data(2))) expect(fake.values(id, title)).toEqual(rows)
    },
  )
})
