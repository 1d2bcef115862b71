// A1 notation read back, as the fake Sheets API needs it (the app only writes ranges: src/export/a1.ts).

/** 1 → A, 26 → Z, 27 → AA. */
export const columnLetter = (column: number): string => {
  let n = column
  let out = ""
  while (n > 0) {
    const rest = (n - 1) % 26
    out = String.fromCharCode(65 + rest) + out
    n = Math.floor((n - 1) / 26)
  }
  return out
}

const columnNumber = (letters: string): number =>
  [...letters.toUpperCase()].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0)

/** 1-based, inclusive; an open end (`A1:Z`, or a whole sheet) is undefined. */
export interface A1Range {
  readonly sheet: string
  readonly startRow: number
  readonly startColumn: number
  readonly endRow: number | undefined
  readonly endColumn: number | undefined
}

const CELL = /^([A-Za-z]*)(\d*)$/

const splitTitle = (range: string): { sheet: string; cells: string } | undefined => {
  if (!range.startsWith("'")) {
    const bang = range.indexOf("!")
    return bang < 0
      ? { sheet: range, cells: "" }
      : { sheet: range.slice(0, bang), cells: range.slice(bang + 1) }
  }
  let sheet = ""
  for (let i = 1; i < range.length; i++) {
    if (range[i] !== "'") {
      sheet += range[i]
    } else if (range[i + 1] === "'") {
      sheet += "'"
      i++
    } else {
      const rest = range.slice(i + 1)
      if (rest === "") return { sheet, cells: "" }
      return rest.startsWith("!") ? { sheet, cells: rest.slice(1) } : undefined
    }
  }
  return undefined
}

/** Parses a range of a single sheet; undefined when it is not valid A1 notation. */
export const parseA1 = (range: string): A1Range | undefined => {
  const split = splitTitle(range)
  if (!split || split.sheet === "") return undefined
  const whole = { sheet: split.sheet, startRow: 1, startColumn: 1, endRow: undefined, endColumn: undefined }
  if (split.cells === "") return whole
  const [from = "", to, extra] = split.cells.split(":")
  const start = CELL.exec(from)
  const end = to === undefined ? start : CELL.exec(to)
  if (!start || !end || extra !== undefined || from === "" || to === "") return undefined
  return {
    sheet: split.sheet,
    startRow: start[2] ? Number(start[2]) : 1,
    startColumn: start[1] ? columnNumber(start[1]) : 1,
    endRow: end[2] ? Number(end[2]) : undefined,
    endColumn: end[1] ? columnNumber(end[1]) : undefined,
  }
}
