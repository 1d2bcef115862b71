import type { OAuth2Client } from "google-auth-library"
import { quoteSheetTitle } from "./a1"
import { type DriveOptions, findSpreadsheetByName, shareSpreadsheet } from "./drive"
import { guarded, SheetsExportError } from "./errors"
import { gridFor, layoutRequests } from "./layout"
import type { SheetsData } from "./sheet-rows"

export { SheetsExportError } from "./errors"

export interface SheetsExporterOptions {
  /** A JWT in production (authFromEnv); a pre-authorised OAuth2Client in tests. */
  readonly auth: OAuth2Client
  /** Base URL of the Sheets API (tests: the fake); default https://sheets.googleapis.com/. */
  readonly rootUrl?: string
  readonly spreadsheetId?: string
  /** Used when there is no id: found through Drive, or created when `allowCreate`. */
  readonly name?: string
  readonly allowCreate?: boolean
  /** Writers of a spreadsheet this exporter creates (see parseShareWith). */
  readonly shareWith?: ReadonlyArray<string>
  readonly drive?: DriveOptions
}

export interface ExportResult {
  readonly spreadsheetId: string
  readonly url: string
  readonly sheets: number
  /** Rows written over all tabs, header rows included. */
  readonly rows: number
  /** True when this run created the spreadsheet (and shared it). */
  readonly created: boolean
  /** Addresses the sharing failed for (the export itself still went through). */
  readonly shareFailed: ReadonlyArray<string>
}

export interface SheetsExporter {
  readonly export: (data: SheetsData) => Promise<ExportResult>
}

/** GSHEETS_SHARE_WITH: «a@x.ru, b@y.ru» → two addresses (the original passed the whole string as one). */
export const parseShareWith = (raw: string | undefined): string[] => [
  ...new Set((raw ?? "").split(/[,;\s]+/).filter((s) => s !== "")),
]

/**
 * Writes every sheet of `data` to one spreadsheet: find or create it, add missing tabs, then one
 * `values.batchClear` and one `values.batchUpdate` (RAW) for all tabs together. A failure midway leaves
 * tabs stale or empty, never mixed: the next run clears and rewrites them all.
 */
export const makeSheetsExporter = (options: SheetsExporterOptions): SheetsExporter => {
  // Loaded on the first export, not at start: the Google client costs ~20 MiB that an idle bot need not hold.
  let client: Promise<ReturnType<typeof import("@googleapis/sheets").sheets>> | undefined
  const sheetsClient = () => {
    client ??= import("@googleapis/sheets").then(({ sheets }) =>
      sheets({ version: "v4", auth: options.auth, ...(options.rootUrl ? { rootUrl: options.rootUrl } : {}) }),
    )
    return client
  }
  let knownId = options.spreadsheetId?.trim() || undefined

  const create = async (name: string, data: SheetsData) => {
    const sheets = Object.entries(data).map(([title, rows]) => ({
      properties: { title, gridProperties: gridFor(rows) },
    }))
    const created = await guarded("spreadsheets.create", async () =>
      (await sheetsClient()).spreadsheets.create({ requestBody: { properties: { title: name }, sheets } }),
    )
    const id = created.data.spreadsheetId
    if (!id)
      throw new SheetsExportError({
        reason: "api",
        message: "Google не вернул id таблицы / no spreadsheet id",
      })
    const shareFailed: string[] = []
    for (const email of options.shareWith ?? []) {
      await shareSpreadsheet(options.auth, id, email, options.drive).catch(() => shareFailed.push(email))
    }
    return { id, shareFailed }
  }

  const resolve = async (data: SheetsData) => {
    if (knownId) return { id: knownId, created: false, shareFailed: [] }
    const name = options.name?.trim()
    if (!name) {
      throw new SheetsExportError({
        reason: "not_found",
        message:
          "Не задан GSHEETS_SPREADSHEET_ID или GSHEETS_SPREADSHEET_NAME / no spreadsheet id or name set",
      })
    }
    const found = await findSpreadsheetByName(options.auth, name, options.drive)
    if (found) return { id: found, created: false, shareFailed: [] }
    if (options.allowCreate === false) {
      throw new SheetsExportError({
        reason: "not_found",
        message: `Таблица «${name}» не найдена, создание выключено (GSHEETS_ALLOW_CREATE) / spreadsheet not found, creation disabled`,
      })
    }
    const made = await create(name, data)
    return { id: made.id, created: true, shareFailed: made.shareFailed }
  }

  const write = async (spreadsheetId: string, data: SheetsData) => {
    const current = await guarded("spreadsheets.get", async () =>
      (await sheetsClient()).spreadsheets.get({
        spreadsheetId,
        fields: "spreadsheetId,sheets.properties(sheetId,title,gridProperties(rowCount,columnCount))",
      }),
    )
    const existing = (current.data.sheets ?? []).flatMap((s) => (s.properties ? [s.properties] : []))
    const requests = layoutRequests(data, existing)
    if (requests.length > 0) {
      await guarded("spreadsheets.batchUpdate", async () =>
        (await sheetsClient()).spreadsheets.batchUpdate({ spreadsheetId, requestBody: { requests } }),
      )
    }
    const titles = Object.keys(data)
    await guarded("values.batchClear", async () =>
      (await sheetsClient()).spreadsheets.values.batchClear({
        spreadsheetId,
        requestBody: { ranges: titles.map(quoteSheetTitle) },
      }),
    )
    await guarded("values.batchUpdate", async () =>
      (await sheetsClient()).spreadsheets.values.batchUpdate({
        spreadsheetId,
        requestBody: {
          valueInputOption: "RAW",
          data: titles.map((title) => ({
            range: `${quoteSheetTitle(title)}!A1`,
            majorDimension: "ROWS",
            values: data[title] ?? [],
          })),
        },
      }),
    )
  }

  const run = async (data: SheetsData): Promise<ExportResult> => {
    const target = await resolve(data)
    knownId = target.id
    try {
      await write(target.id, data)
    } catch (error) {
      // A spreadsheet found by name and deleted since is looked up (or created) again next time.
      if (error instanceof SheetsExportError && error.reason === "not_found" && !options.spreadsheetId) {
        knownId = undefined
      }
      throw error
    }
    return {
      spreadsheetId: target.id,
      url: `https://docs.google.com/spreadsheets/d/${target.id}/edit`,
      sheets: Object.keys(data).length,
      rows: Object.values(data).reduce((n, rows) => n + rows.length, 0),
      created: target.created,
      shareFailed: target.shareFailed,
    }
  }

  // Overlapping calls run one after another, so two runs never both create the spreadsheet.
  let queue: Promise<unknown> = Promise.resolve()
  return {
    export: (data) => {
      const next = queue.then(() => run(data))
      queue = next.catch(() => undefined)
      return next
    },
  }
}
