import { afterAll, afterEach, describe, expect, setDefaultTimeout, test } from "bun:test"
import { sheets } from "@googleapis/sheets"
import { authorisedGoogleClient, startFakeSheets } from "./fake-sheets"

setDefaultTimeout(30_000)

const fake = startFakeSheets()
afterEach(() => {
  fake.reset()
  fake.spreadsheets.clear()
})
afterAll(() => fake.stop())

const authorised = authorisedGoogleClient
const api = () => sheets({ version: "v4", auth: authorised(), rootUrl: `${fake.url}/` })
const statusOf = (run: () => Promise<unknown>) =>
  run().then(
    () => 200,
    (e: { status?: number }) => e.status,
  )

describe("fake Sheets with the real @googleapis/sheets client", () => {
  test("create → get: title, tabs with sheetId and grid; bearer token recorded", async () => {
    const created = await api().spreadsheets.create({
      requestBody: { properties: { title: "EMCO" }, sheets: [{ properties: { title: "Summary" } }] },
    })
    const id = created.data.spreadsheetId!
    const got = await api().spreadsheets.get({ spreadsheetId: id, fields: "sheets.properties" })
    expect(got.data.properties?.title).toBe("EMCO")
    expect(got.data.sheets?.map((s) => s.properties?.title)).toEqual(["Summary"])
    expect(got.data.sheets?.[0]?.properties?.gridProperties).toEqual({ rowCount: 1000, columnCount: 26 })
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "POST /v4/spreadsheets",
      `GET /v4/spreadsheets/${id}`,
    ])
    expect(fake.lastRequest()?.headers.authorization).toBe("Bearer test-token")
  })

  test("batchUpdate adds tabs atomically: a duplicate title rejects the whole batch", async () => {
    const id = fake.addSpreadsheet("Book", ["Sheet1"])
    const add = (title: string) => ({ addSheet: { properties: { title } } })
    const ok = await api().spreadsheets.batchUpdate({
      spreadsheetId: id,
      requestBody: { requests: [add("A")] },
    })
    expect(ok.data.replies?.[0]?.addSheet?.properties?.title).toBe("A")
    const requests = [add("B"), add("A")]
    expect(
      await statusOf(() => api().spreadsheets.batchUpdate({ spreadsheetId: id, requestBody: { requests } })),
    ).toBe(400)
    expect(fake.spreadsheets.get(id)?.sheets.map((s) => s.title)).toEqual(["Sheet1", "A"])
  })

  test("values: batchUpdate RAW, get back as strings, batchClear; Cyrillic and quoted titles", async () => {
    const id = fake.addSpreadsheet("Book", ["Комментарии", "It's"])
    await api().spreadsheets.values.batchUpdate({
      spreadsheetId: id,
      requestBody: {
        valueInputOption: "RAW",
        data: [
          {
            range: "'Комментарии'!A1",
            values: [
              ["Пользователь", "Оценка"],
              [42, 7.5],
            ],
          },
          { range: "'It''s'!B2", values: [["x"]] },
        ],
      },
    })
    expect(fake.values(id, "Комментарии")).toEqual([
      ["Пользователь", "Оценка"],
      [42, 7.5],
    ])
    expect(fake.values(id, "It's")).toEqual([[], [undefined, "x"]])
    const read = await api().spreadsheets.values.get({ spreadsheetId: id, range: "'Комментарии'!A1:Z" })
    expect(read.data.values).toEqual([
      ["Пользователь", "Оценка"],
      ["42", "7.5"],
    ])
    // The client percent-encodes the whole range, quotes and `!` included.
    expect(fake.lastRequest()?.path).toEndWith("%27%21A1%3AZ")
    expect(decodeURIComponent(fake.lastRequest()!.path)).toBe(
      `/v4/spreadsheets/${id}/values/'Комментарии'!A1:Z`,
    )
    await api().spreadsheets.values.batchClear({
      spreadsheetId: id,
      requestBody: { ranges: ["'Комментарии'"] },
    })
    expect(fake.values(id, "Комментарии")).toEqual([])
    expect(
      (await api().spreadsheets.values.get({ spreadsheetId: id, range: "'Комментарии'" })).data.values,
    ).toBeUndefined()
  })

  test("writing past the grid, a missing valueInputOption or an unknown tab → 400, nothing written", async () => {
    const id = fake.addSpreadsheet("Book", ["S"])
    const write = (range: string, values: unknown[][], valueInputOption?: string) =>
      statusOf(() =>
        api().spreadsheets.values.batchUpdate({
          spreadsheetId: id,
          requestBody: { ...(valueInputOption ? { valueInputOption } : {}), data: [{ range, values }] },
        }),
      )
    const tall = Array.from({ length: 1001 }, () => ["x"])
    expect(await write("'S'!A1", tall, "RAW")).toBe(400)
    expect(await write("'S'!A1", [["x"]])).toBe(400)
    expect(await write("'Nope'!A1", [["x"]], "RAW")).toBe(400)
    expect(fake.values(id, "S")).toEqual([])
  })

  test("no bearer → 401; unknown spreadsheet → 404 in Google's error format", async () => {
    const bare = await fetch(`${fake.url}/v4/spreadsheets/x`)
    expect(bare.status).toBe(401)
    expect(await bare.json()).toMatchObject({ error: { code: 401, status: "UNAUTHENTICATED" } })
    expect(await statusOf(() => api().spreadsheets.get({ spreadsheetId: "missing" }))).toBe(404)
  })

  test("injected faults: 500 on a POST surfaces; 429 on a GET is retried by the client", async () => {
    const id = fake.addSpreadsheet("Book")
    fake.failNext({ kind: "status", status: 500 }, 1, ":batchUpdate")
    expect(
      await statusOf(() =>
        api().spreadsheets.batchUpdate({ spreadsheetId: id, requestBody: { requests: [] } }),
      ),
    ).toBe(500)
    fake.failNext({ kind: "status", status: 429 }, 1, `/v4/spreadsheets/${id}`)
    expect((await api().spreadsheets.get({ spreadsheetId: id })).status).toBe(200)
    expect(fake.requestsTo(`/v4/spreadsheets/${id}`).filter((r) => r.method === "GET")).toHaveLength(2)
  })

  test("Drive: files.list by name and permissions.create record each address", async () => {
    const id = fake.addSpreadsheet("Отчёт 'EMCO'")
    const auth = authorised()
    const list = await auth.request<{ files: { id: string }[] }>({
      url: `${fake.url}/drive/v3/files`,
      params: { q: "name = 'Отчёт \\'EMCO\\'' and trashed = false" },
    })
    expect(list.data.files.map((f) => f.id)).toEqual([id])
    await auth.request({
      url: `${fake.url}/drive/v3/files/${id}/permissions`,
      method: "POST",
      data: { type: "user", role: "writer", emailAddress: "a@example.com" },
    })
    expect(fake.spreadsheets.get(id)?.permissions).toEqual([
      { type: "user", role: "writer", emailAddress: "a@example.com" },
    ])
  })
})
