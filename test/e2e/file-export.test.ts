import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test"
import ExcelJS from "exceljs"
import { adminTexts } from "../../src/admin/texts"
import { kernelTexts as k } from "../../src/cases/kernel/texts"
import { cases } from "../../src/cases/registry"
import { exportTexts } from "../../src/export/export-texts"
import { SHEET_TITLES } from "../../src/export/sheets-data.repo"
import { reviewedAttempt } from "../support/attempt"
import { backends } from "../support/database"
import { ADMIN_PASSWORD, signIn, startBot, type TestBot, textsOf, USER_PASSWORD } from "../support/harness"

setDefaultTimeout(60_000)

const spec = cases[0]!
const keys = spec.methodology.components.map((c) => c.key)

/** «05.12.2026 21:30»: a time as the export writes it. */
const DATE_TIME = /^\d\d\.\d\d\.\d{4} \d\d:\d\d$/

describe.each(backends)("exports anyone can open: /export xlsx and /export csv (%s)", (backend) => {
  let bot: TestBot
  afterEach(async () => bot?.stop())

  /** A learner with one hard attempt, one hint taken, two steps shown; and a signed-in admin. */
  const setUp = async () => {
    bot = await startBot({ backend })
    const learner = bot.user(1301, "Мария")
    await signIn(learner, USER_PASSWORD)
    await reviewedAttempt(bot, learner, spec, keys.slice(0, 2), {
      start: async () => {
        await learner.press(spec.texts.title)
        await learner.press(k.buttons.hard)
        await learner.send(k.buttons.hint)
      },
    })
    const admin = bot.user(1302, "Олег")
    await signIn(admin, ADMIN_PASSWORD)
    return admin
  }

  test("xlsx → one workbook in the chat; read back with ExcelJS: every sheet, the attempt row and its steps", async () => {
    const admin = await setUp()
    const shown = await admin.send("/export xlsx")
    expect(textsOf(shown)[0]).toBe(exportTexts.started("xlsx"))
    const doc = shown.find((m) => m.kind === "document")!
    expect(doc.file?.name).toMatch(/^emco-stats-\d{4}-\d\d-\d\d\.xlsx$/)
    expect(doc.caption).toContain("(МСК)")
    const book = new ExcelJS.Workbook()
    await book.xlsx.load(doc.file!.bytes.buffer.slice(0) as ArrayBuffer)
    expect(book.worksheets.map((w) => w.name)).toEqual([...SHEET_TITLES])
    const attempts = book.getWorksheet("Attempts")!
    const header = (attempts.getRow(1).values as unknown[]).slice(1)
    const row = Object.fromEntries(header.map((h, i) => [String(h), attempts.getRow(2).getCell(i + 1).value]))
    expect(row).toMatchObject({
      Пользователь: 1301,
      Имя: "Мария",
      Кейс: spec.id,
      "Попытка №": 1,
      Баллы: 2,
      "Шагов в кейсе": 5,
      Собеседник: "жёсткий",
      Подсказок: 1,
    })
    expect(String(row["Конец (МСК)"])).toMatch(DATE_TIME)
    const steps = book.getWorksheet("Steps")!
    const stepRows = [2, 3, 4, 5, 6].map((n) => (steps.getRow(n).values as unknown[]).slice(3))
    expect(stepRows).toEqual(
      spec.methodology.components.map((c, i) => [spec.id, c.label, i < 2 ? "да" : "нет"]),
    )
  })

  test("csv → one album of a CSV per sheet; the Attempts file parses back to the same row", async () => {
    const admin = await setUp()
    const shown = await admin.send("/export csv")
    const docs = shown.filter((m) => m.kind === "document")
    expect(docs.map((d) => d.file?.name?.replace(/-\d{4}-\d\d-\d\d\.csv$/, ""))).toEqual(
      SHEET_TITLES.map((t) => `emco-${t}`),
    )
    expect(bot.tg.callsOf("sendMediaGroup")).toHaveLength(1)
    const text = new TextDecoder("utf-8", { ignoreBOM: true }).decode(
      docs.find((d) => d.file?.name?.startsWith("emco-Attempts"))!.file!.bytes,
    )
    expect(text.startsWith("\uFEFF")).toBe(true)
    const [header, first, ...rest] = text
      .slice(1)
      .trimEnd()
      .split("\r\n")
      .map((line) => line.split(";"))
    expect(rest).toEqual([])
    const row = Object.fromEntries(header!.map((h, i) => [h, first![i]]))
    expect(row).toMatchObject({
      Пользователь: "1301",
      Имя: "Мария",
      Кейс: spec.id,
      Собеседник: "жёсткий",
      Подсказок: "1",
    })
    expect(row["Начало (МСК)"]).toMatch(DATE_TIME)
    // The admin menu's button does the same as the command.
    await admin.send("/admin")
    const pressed = await admin.press(adminTexts.buttons.xlsx)
    expect(pressed.answer?.params.show_alert).toBeUndefined()
    expect(pressed.messages.filter((m) => m.kind === "document").map((m) => m.file?.name)).toEqual([
      expect.stringMatching(/^emco-stats-\d{4}-\d\d-\d\d\.xlsx$/),
    ])
  })

  test("/export with an unknown format → how to use it; a failure → a plain answer, no technical detail", async () => {
    const admin = await setUp()
    expect(textsOf(await admin.send("/export pdf"))).toEqual([exportTexts.usage.replace(/<[^>]+>/g, "")])
    bot.tg.failNext("sendDocument", { status: 400, description: "Bad Request: file is too big" })
    const shown = textsOf(await admin.send("/export xlsx"))
    expect(shown).toEqual([exportTexts.started("xlsx"), exportTexts.failed])
  })
})
