import { describe, expect, setDefaultTimeout, test } from "bun:test"
import { quoteSheetTitle } from "../../src/export/a1"
import { columnLetter, parseA1 } from "../support/a1"

setDefaultTimeout(30_000)

describe("A1 notation", () => {
  test("titles are always quoted, inner quotes doubled", () => {
    expect(quoteSheetTitle("Комментарии")).toBe("'Комментарии'")
    expect(quoteSheetTitle("It's")).toBe("'It''s'")
  })

  test("column letters", () => {
    expect([1, 26, 27, 52, 703].map(columnLetter)).toEqual(["A", "Z", "AA", "AZ", "AAA"])
  })

  test("parses whole sheets, cells, open and closed ranges; rejects garbage", () => {
    expect(parseA1("'It''s'")).toEqual({
      sheet: "It's",
      startRow: 1,
      startColumn: 1,
      endRow: undefined,
      endColumn: undefined,
    })
    expect(parseA1("'Лист 1'!B2")).toMatchObject({
      sheet: "Лист 1",
      startRow: 2,
      startColumn: 2,
      endRow: 2,
      endColumn: 2,
    })
    expect(parseA1("Summary!A1:Z")).toMatchObject({ startRow: 1, endRow: undefined, endColumn: 26 })
    expect(parseA1("S!AA10:AB20")).toMatchObject({ startColumn: 27, startRow: 10, endColumn: 28, endRow: 20 })
    for (const bad of ["", "'open", "'x'y", "S!A1:B2:C3", "S!1A", "S!A1:"])
      expect(parseA1(bad)).toBeUndefined()
  })
})
