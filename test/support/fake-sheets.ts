import { OAuth2Client } from "google-auth-library"
import { type A1Range, parseA1 } from "./a1"
import { type FaultStatus, isRecord, jsonResponse, type RecordedRequest } from "./fake-http"
import { FakeHttpServer, type RouteContext } from "./fake-http-server"

export type { Fault, RecordedRequest } from "./fake-http"

export interface FakeSheet {
  sheetId: number
  title: string
  rowCount: number
  columnCount: number
  /** What was written, cell by cell (RAW: numbers stay numbers); holes are undefined. */
  values: unknown[][]
}

export interface FakeSpreadsheet {
  spreadsheetId: string
  title: string
  sheets: FakeSheet[]
  /** Drive permissions created for this file, in order. */
  permissions: { type: string; role: string; emailAddress: string }[]
}

const STATUS: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  502: "UNAVAILABLE",
  503: "UNAVAILABLE",
}

class ApiFailure extends Error {
  constructor(
    readonly status: 400 | 404,
    message: string,
  ) {
    super(message)
  }
}

const ID = "([^/:]+)"
type Handler =
  | "onCreate"
  | "onGet"
  | "onBatchUpdate"
  | "onBatchClear"
  | "onValuesBatchUpdate"
  | "onValuesGet"
  | "onDriveList"
  | "onShare"
const ROUTES: ReadonlyArray<[string, RegExp, Handler]> = [
  ["POST", /^\/v4\/spreadsheets$/, "onCreate"],
  ["GET", new RegExp(`^/v4/spreadsheets/${ID}$`), "onGet"],
  ["POST", new RegExp(`^/v4/spreadsheets/${ID}:batchUpdate$`), "onBatchUpdate"],
  ["POST", new RegExp(`^/v4/spreadsheets/${ID}/values:batchClear$`), "onBatchClear"],
  ["POST", new RegExp(`^/v4/spreadsheets/${ID}/values:batchUpdate$`), "onValuesBatchUpdate"],
  ["GET", new RegExp(`^/v4/spreadsheets/${ID}/values/([^/]+)$`), "onValuesGet"],
  ["GET", /^\/drive\/v3\/files$/, "onDriveList"],
  ["POST", /^\/drive\/v3\/files\/([^/]+)\/permissions$/, "onShare"],
]

const trimmed = (values: unknown[][]): unknown[][] => {
  const rows = values.map((row) => {
    const out = [...row]
    while (out.length > 0 && (out.at(-1) === undefined || out.at(-1) === "")) out.pop()
    return out
  })
  while (rows.length > 0 && rows.at(-1)?.length === 0) rows.pop()
  return rows
}

/**
 * Fake Google Sheets v4 + the two Drive v3 calls the exporter makes, on the wire format of
 * `@googleapis/sheets` (paths logged from the real client). Needs `Authorization: Bearer …`.
 */
export class FakeSheets extends FakeHttpServer {
  readonly spreadsheets = new Map<string, FakeSpreadsheet>()
  private nextId = 1

  constructor() {
    super("")
  }

  /** A spreadsheet that already exists (as if made by hand and shared with the service account). */
  addSpreadsheet(title: string, sheetTitles: ReadonlyArray<string> = ["Sheet1"]): string {
    return this.make(
      title,
      sheetTitles.map((t) => ({ title: t })),
    ).spreadsheetId
  }

  /** The stored cells of one tab, trailing blanks trimmed; undefined when there is no such tab. */
  values(spreadsheetId: string, title: string): unknown[][] | undefined {
    const sheet = this.spreadsheets.get(spreadsheetId)?.sheets.find((s) => s.title === title)
    return sheet ? trimmed(sheet.values) : undefined
  }

  protected authenticate(recorded: RecordedRequest): Response | undefined {
    const token = /^Bearer (\S+)$/.exec(recorded.headers.authorization ?? "")?.[1]
    return token
      ? undefined
      : this.errorResponse(401, undefined, "Request is missing required authentication credential.")
  }

  protected errorResponse(status: FaultStatus | 403, retryAfterSec?: number, message?: string): Response {
    const text = message ?? `Fake Sheets error ${status}.`
    const headers: Record<string, string> =
      retryAfterSec === undefined ? {} : { "retry-after": String(retryAfterSec) }
    return jsonResponse(
      { error: { code: status, message: text, status: STATUS[status] ?? "UNKNOWN" } },
      status,
      headers,
    )
  }

  protected async route({ recorded }: RouteContext): Promise<Response> {
    for (const [method, pattern, handler] of ROUTES) {
      const match = pattern.exec(recorded.path)
      if (method !== recorded.method || !match) continue
      try {
        const args = match.slice(1).map(decodeURIComponent)
        return jsonResponse(
          (this[handler] as (r: RecordedRequest, ...a: string[]) => unknown)(recorded, ...args),
        )
      } catch (error) {
        if (!(error instanceof ApiFailure)) throw error
        return this.errorResponse(error.status, undefined, error.message)
      }
    }
    return this.errorResponse(404, undefined, `No route ${recorded.method} ${recorded.path} (fake Sheets).`)
  }

  private make(title: string, sheets: ReadonlyArray<Record<string, unknown>>): FakeSpreadsheet {
    const spreadsheetId = `fake-sheet-${this.nextId++}`
    const book: FakeSpreadsheet = { spreadsheetId, title, sheets: [], permissions: [] }
    for (const properties of sheets) book.sheets.push(this.newSheet(book, properties))
    this.spreadsheets.set(spreadsheetId, book)
    return book
  }

  private newSheet(book: FakeSpreadsheet, properties: Record<string, unknown>): FakeSheet {
    const title = String(properties.title ?? `Sheet${book.sheets.length + 1}`)
    if (book.sheets.some((s) => s.title === title)) {
      throw new ApiFailure(400, `A sheet with the name "${title}" already exists. Please enter another name.`)
    }
    const grid = isRecord(properties.gridProperties) ? properties.gridProperties : {}
    const sheetId = typeof properties.sheetId === "number" ? properties.sheetId : 1000 + this.nextId++
    return {
      sheetId,
      title,
      rowCount: Number(grid.rowCount ?? 1000),
      columnCount: Number(grid.columnCount ?? 26),
      values: [],
    }
  }

  private book(id: string): FakeSpreadsheet {
    const book = this.spreadsheets.get(id)
    if (!book) throw new ApiFailure(404, "Requested entity was not found.")
    return book
  }

  private sheetOf(book: FakeSpreadsheet, range: string): { sheet: FakeSheet; a1: A1Range } {
    const a1 = parseA1(range)
    const sheet = a1 && book.sheets.find((s) => s.title === a1.sheet)
    if (!a1 || !sheet) throw new ApiFailure(400, `Unable to parse range: ${range}`)
    return { sheet, a1 }
  }

  private json(book: FakeSpreadsheet) {
    const sheets = book.sheets.map((s, index) => ({
      properties: {
        sheetId: s.sheetId,
        title: s.title,
        index,
        sheetType: "GRID",
        gridProperties: { rowCount: s.rowCount, columnCount: s.columnCount },
      },
    }))
    const spreadsheetUrl = `https://docs.google.com/spreadsheets/d/${book.spreadsheetId}/edit`
    return {
      spreadsheetId: book.spreadsheetId,
      properties: { title: book.title, locale: "ru_RU" },
      sheets,
      spreadsheetUrl,
    }
  }

  onCreate({ body }: RecordedRequest) {
    const b = isRecord(body) ? body : {}
    const title = isRecord(b.properties) ? String(b.properties.title ?? "") : ""
    const sheets = Array.isArray(b.sheets)
      ? b.sheets.map((s) => (isRecord(s) && isRecord(s.properties) ? s.properties : {}))
      : [{ title: "Sheet1" }]
    return this.json(this.make(title || "Untitled spreadsheet", sheets))
  }

  onGet(_: RecordedRequest, id: string) {
    return this.json(this.book(id))
  }

  /** All requests are checked on a copy and applied together, as the real batchUpdate does. */
  onBatchUpdate({ body }: RecordedRequest, id: string) {
    const book = this.book(id)
    const draft: FakeSpreadsheet = { ...book, sheets: book.sheets.map((s) => ({ ...s })) }
    const requests = isRecord(body) && Array.isArray(body.requests) ? body.requests : []
    const replies = requests.map((request: unknown, i) => {
      if (isRecord(request) && isRecord(request.addSheet)) {
        const sheet = this.newSheet(
          draft,
          isRecord(request.addSheet.properties) ? request.addSheet.properties : {},
        )
        draft.sheets.push(sheet)
        return { addSheet: { properties: { sheetId: sheet.sheetId, title: sheet.title } } }
      }
      const update =
        isRecord(request) && isRecord(request.updateSheetProperties)
          ? request.updateSheetProperties.properties
          : undefined
      const sheet = isRecord(update) ? draft.sheets.find((s) => s.sheetId === update.sheetId) : undefined
      if (!isRecord(update) || !sheet)
        throw new ApiFailure(400, `Invalid requests[${i}]: not supported by the fake`)
      const grid = isRecord(update.gridProperties) ? update.gridProperties : {}
      sheet.rowCount = Number(grid.rowCount ?? sheet.rowCount)
      sheet.columnCount = Number(grid.columnCount ?? sheet.columnCount)
      return {}
    })
    book.sheets = draft.sheets
    return { spreadsheetId: id, replies }
  }

  onBatchClear({ body }: RecordedRequest, id: string) {
    const book = this.book(id)
    const ranges = isRecord(body) && Array.isArray(body.ranges) ? body.ranges.map(String) : []
    const targets = ranges.map((range) => this.sheetOf(book, range))
    for (const { sheet, a1 } of targets) {
      sheet.values.forEach((row, r) => {
        if (r + 1 < a1.startRow || (a1.endRow !== undefined && r + 1 > a1.endRow)) return
        for (let c = a1.startColumn - 1; c < Math.min(row.length, a1.endColumn ?? row.length); c++)
          row[c] = undefined
      })
      sheet.values = trimmed(sheet.values)
    }
    return { spreadsheetId: id, clearedRanges: ranges }
  }

  onValuesBatchUpdate({ body }: RecordedRequest, id: string) {
    const book = this.book(id)
    const b = isRecord(body) ? body : {}
    if (b.valueInputOption !== "RAW" && b.valueInputOption !== "USER_ENTERED") {
      throw new ApiFailure(400, "Invalid valueInputOption: INPUT_VALUE_OPTION_UNSPECIFIED")
    }
    const data = (Array.isArray(b.data) ? b.data : []).map((d) => (isRecord(d) ? d : {}))
    const writes = data.map((d) => ({
      ...this.sheetOf(book, String(d.range)),
      rows: (d.values ?? []) as unknown[][],
    }))
    for (const { sheet, a1, rows } of writes) {
      const lastRow = a1.startRow + rows.length - 1
      const lastColumn = a1.startColumn + Math.max(0, ...rows.map((r) => r.length)) - 1
      if (lastRow > sheet.rowCount || lastColumn > sheet.columnCount) {
        throw new ApiFailure(
          400,
          `Range exceeds grid limits. Max rows: ${sheet.rowCount}, max columns: ${sheet.columnCount}`,
        )
      }
    }
    for (const { sheet, a1, rows } of writes) {
      const top = a1.startRow - 1
      for (let r = 0; r < top + rows.length; r++) sheet.values[r] ??= []
      rows.forEach((row, r) => {
        const target = sheet.values[top + r]!
        while (target.length < a1.startColumn - 1) target.push(undefined)
        target.splice(a1.startColumn - 1, row.length, ...row)
      })
    }
    const totalUpdatedRows = writes.reduce((n, w) => n + w.rows.length, 0)
    return {
      spreadsheetId: id,
      totalUpdatedSheets: new Set(writes.map((w) => w.sheet)).size,
      totalUpdatedRows,
    }
  }

  /** Like the real default (FORMATTED_VALUE): every cell comes back as a string, trailing blanks trimmed. */
  onValuesGet(_: RecordedRequest, id: string, range: string) {
    const { sheet } = this.sheetOf(this.book(id), range)
    const values = trimmed(sheet.values).map((row) =>
      row.map((cell) => (cell === undefined ? "" : String(cell))),
    )
    return { range, majorDimension: "ROWS", ...(values.length > 0 ? { values } : {}) }
  }

  onDriveList({ query }: RecordedRequest) {
    const quoted = /name = '((?:[^'\\]|\\.)*)'/.exec(query.q ?? "")?.[1]
    const name = quoted?.replace(/\\(.)/g, "$1")
    const files = [...this.spreadsheets.values()].filter((b) => b.title === name)
    return { kind: "drive#fileList", files: files.map((b) => ({ id: b.spreadsheetId, name: b.title })) }
  }

  onShare({ body }: RecordedRequest, id: string) {
    const book = this.spreadsheets.get(id)
    if (!book) throw new ApiFailure(404, `File not found: ${id}.`)
    const b = isRecord(body) ? body : {}
    if (typeof b.emailAddress !== "string" || !b.emailAddress.includes("@")) {
      throw new ApiFailure(400, 'Bad Request. User message: "You are trying to invite an invalid email."')
    }
    book.permissions.push({ type: String(b.type), role: String(b.role), emailAddress: b.emailAddress })
    return { kind: "drive#permission", id: `perm-${book.permissions.length}`, type: b.type, role: b.role }
  }
}

export const startFakeSheets = (): FakeSheets => new FakeSheets()

/** A Google client that is already authorised, so tests never ask Google's token endpoint. */
export const authorisedGoogleClient = (): OAuth2Client => {
  const auth = new OAuth2Client()
  auth.setCredentials({ access_token: "test-token", expiry_date: Date.now() + 3_600_000 })
  return auth
}
