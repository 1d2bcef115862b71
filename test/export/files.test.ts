import { describe, expect, test } from "bun:test"
import ExcelJS from "exceljs"
import { toCsv, toXlsx } from "../../src/export/files"

describe("export files", () => {
  test("CSV: BOM, «;» between cells, CRLF, quoted where needed, a learner's formula stays text", () => {
    const csv = toCsv([
      ["Имя", "Комментарий", "Баллы"],
      ["Аня", 'Сказала «да»; потом "нет"', 3],
      ["Боря", '=HYPERLINK("http://x")', -1],
      ["Вера", "две\nстроки", 0],
    ])
    expect(csv.startsWith("\uFEFF")).toBe(true)
    expect(csv.slice(1).split("\r\n")).toEqual([
      "Имя;Комментарий;Баллы",
      'Аня;"Сказала «да»; потом ""нет""";3',
      `Боря;"'=HYPERLINK(""http://x"")";-1`,
      'Вера;"две\nстроки";0',
      "",
    ])
  })

  test("XLSX: every sheet in order, read back with ExcelJS: cells, numbers as numbers, a bold header", async () => {
    const bytes = await toXlsx({
      Summary: [["Сгенерировано (МСК)", "05.12.2026 18:30"]],
      Attempts: [
        ["ID", "Имя", "Баллы"],
        [7, "Аня", 4],
      ],
      Steps: [["ID попытки", "Шаг", "Прозвучал"]],
    })
    const book = new ExcelJS.Workbook()
    await book.xlsx.load(bytes.buffer as ArrayBuffer)
    expect(book.worksheets.map((w) => w.name)).toEqual(["Summary", "Attempts", "Steps"])
    const attempts = book.getWorksheet("Attempts")!
    expect(attempts.getRow(2).values).toEqual([undefined, 7, "Аня", 4])
    expect(typeof attempts.getCell("C2").value).toBe("number")
    expect(attempts.getRow(1).font?.bold).toBe(true)
    expect(book.getWorksheet("Summary")!.getCell("B1").value).toBe("05.12.2026 18:30")
  })
})
