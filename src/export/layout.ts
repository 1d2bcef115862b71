import type { sheets_v4 } from "@googleapis/sheets"
import type { SheetsData } from "./sheet-rows"

// A new tab gets at least the original's 100 × 20; a tab smaller than its data grows first.
const MIN_ROWS = 100
const MIN_COLUMNS = 20
const widthOf = (rows: ReadonlyArray<ReadonlyArray<unknown>>) => Math.max(0, ...rows.map((r) => r.length))
export const gridFor = (rows: ReadonlyArray<ReadonlyArray<unknown>>) => ({
  rowCount: Math.max(MIN_ROWS, rows.length),
  columnCount: Math.max(MIN_COLUMNS, widthOf(rows)),
})

/** One addSheet per missing tab, one updateSheetProperties per tab too small for its rows. */
export const layoutRequests = (
  data: SheetsData,
  existing: ReadonlyArray<sheets_v4.Schema$SheetProperties>,
): sheets_v4.Schema$Request[] =>
  Object.entries(data).flatMap(([title, rows]): sheets_v4.Schema$Request[] => {
    const sheet = existing.find((p) => p.title === title)
    if (!sheet) return [{ addSheet: { properties: { title, gridProperties: gridFor(rows) } } }]
    const rowCount = sheet.gridProperties?.rowCount ?? 0
    const columnCount = sheet.gridProperties?.columnCount ?? 0
    if (rowCount >= rows.length && columnCount >= widthOf(rows)) return []
    const gridProperties = {
      rowCount: Math.max(rowCount, rows.length),
      columnCount: Math.max(columnCount, widthOf(rows)),
    }
    const fields = "gridProperties.rowCount,gridProperties.columnCount"
    return [
      { updateSheetProperties: { properties: { sheetId: sheet.sheetId ?? 0, gridProperties }, fields } },
    ]
  })
