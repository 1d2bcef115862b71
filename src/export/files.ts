import type { Cell, SheetRows, SheetsData } from "./sheet-rows"

/** A text a spreadsheet would run as a formula (=, +, -, @, tab, CR): prefixed with «'» so it stays text. */
const FORMULA_START = /^[=+\-@\t\r]/

const csvCell = (cell: Cell | undefined): string => {
  if (cell === undefined) return ""
  if (typeof cell === "number") return String(cell)
  const text = FORMULA_START.test(cell) ? `'${cell}` : cell
  return /[";\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/**
 * One sheet as CSV the way Excel in a Russian locale opens it: UTF-8 with a BOM, «;» between cells, CRLF lines.
 * Learner-written text (comments) cannot turn into a formula.
 */
export const toCsv = (rows: SheetRows): string =>
  `\uFEFF${rows.map((row) => row.map(csvCell).join(";")).join("\r\n")}\r\n`

/** Every sheet as one XLSX workbook (ExcelJS), tabs in the data's order, the header row bold and frozen. */
export const toXlsx = async (data: SheetsData): Promise<Uint8Array> => {
  // Loaded when a workbook is asked for: ExcelJS costs ~30 MiB that an idle bot need not hold.
  const { default: ExcelJS } = await import("exceljs")
  const book = new ExcelJS.Workbook()
  book.creator = "EMCO Assessment Bot"
  for (const [title, rows] of Object.entries(data)) {
    const sheet = book.addWorksheet(title.slice(0, 31), { views: [{ state: "frozen", ySplit: 1 }] })
    for (const row of rows) sheet.addRow(row)
    sheet.getRow(1).font = { bold: true }
    sheet.columns.forEach((column) => {
      const widest = Math.max(8, ...rows.map((r) => String(r[(column.number ?? 1) - 1] ?? "").length))
      column.width = Math.min(60, widest + 2)
    })
  }
  return new Uint8Array(await book.xlsx.writeBuffer())
}
