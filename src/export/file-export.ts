import { Effect } from "effect"
import { InputFile } from "grammy"
import { formatInZone, isoDayInZone, zoneLabel } from "../core/dates"
import type { Feedback } from "../core/model"
import { Db } from "../services/db"
import { describeError, Log } from "../services/log"
import { Settings } from "../services/settings"
import { Telegram } from "../services/telegram"
import { exportTexts as t } from "./export-texts"
import { toCsv, toXlsx } from "./files"
import { buildSheetsData } from "./sheets-data.repo"

export type FileFormat = "csv" | "xlsx"

/**
 * `/export csv|xlsx`: the export's sheets as files in the admin's chat — one XLSX workbook, or one CSV per sheet.
 * Runs as background work (issued again if the bot dies mid-way); a failure is logged with its detail and the
 * admin gets a plain answer.
 */
export const fileExportWork = (chatId: number, format: FileFormat) =>
  Effect.gen(function* () {
    const { config } = yield* Settings
    const zone = config.env.APSCHEDULER_TIMEZONE
    const now = new Date()
    const data = yield* (yield* Db).use("exportData", (k) => buildSheetsData(k, now, zone))
    const tg = yield* Telegram
    const when = formatInZone(now.getTime(), zone)
    const day = isoDayInZone(now.getTime(), zone)
    if (format === "xlsx") {
      const bytes = yield* Effect.promise(() => toXlsx(data))
      yield* tg.sendDocument(
        chatId,
        new InputFile(bytes, `emco-stats-${day}.xlsx`),
        t.xlsxCaption(when, zoneLabel(zone)),
      )
    } else {
      // One album: the files arrive together, and work issued again after a crash cannot have sent half of them.
      const documents = Object.entries(data).map(([title, rows]) => ({
        file: new InputFile(new TextEncoder().encode(toCsv(rows)), `emco-${title}-${day}.csv`),
        captionHtml: t.csvCaption(title, when, zoneLabel(zone)),
      }))
      yield* tg.sendDocuments(chatId, documents)
    }
    return { _tag: "FileExported", format, ok: true } satisfies Feedback as Feedback
  }).pipe(
    Effect.catch((error) =>
      Effect.gen(function* () {
        yield* (yield* Log).warn("file export failed", { format, ...describeError(error) })
        return { _tag: "FileExported", format, ok: false } satisfies Feedback as Feedback
      }),
    ),
  )
