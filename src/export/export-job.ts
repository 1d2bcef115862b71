import type { Redacted } from "effect"
import type { OAuth2Client } from "google-auth-library"
import type { Kysely } from "kysely"
import type { Database } from "../../db/schema"
import type { DriveOptions } from "./drive"
import { authFromEnv } from "./sheets-auth"
import { buildSheetsData } from "./sheets-data.repo"
import { type ExportResult, makeSheetsExporter, parseShareWith, type SheetsExporter } from "./sheets-export"

/** The exporter's part of the validated config (`AppConfig["env"]` fits). */
export interface ExportEnv {
  readonly GSPREAD_SERVICE_ACCOUNT_FILE?: string | undefined
  readonly GSPREAD_SERVICE_ACCOUNT_JSON?: Redacted.Redacted<string> | undefined
  readonly GSPREAD_SERVICE_ACCOUNT_JSON_B64?: Redacted.Redacted<string> | undefined
  readonly GSHEETS_SPREADSHEET_ID?: string | undefined
  readonly GSHEETS_SPREADSHEET_NAME?: string | undefined
  readonly GSHEETS_SHARE_WITH?: string | undefined
  readonly GSHEETS_ALLOW_CREATE: boolean
  /** Every date in the sheets is shown in this zone. */
  readonly APSCHEDULER_TIMEZONE?: string | undefined
}

export interface SheetsExportJobOptions {
  readonly db: Kysely<Database>
  readonly env: ExportEnv
  /** Overrides for tests: a pre-authorised client instead of the env's key, the fake's base URLs. */
  readonly auth?: OAuth2Client
  readonly rootUrl?: string
  readonly drive?: DriveOptions
}

/**
 * One export run per call (for the scheduler): reads the database, then writes the spreadsheet.
 * Credentials are read on the first run and kept; a run that failed on them is retried in full next time.
 */
export const makeSheetsExportJob = (
  options: SheetsExportJobOptions,
): ((now?: Date) => Promise<ExportResult>) => {
  let exporter: Promise<SheetsExporter> | undefined
  const { env } = options
  const open = async (): Promise<SheetsExporter> => {
    const auth =
      options.auth ??
      (await authFromEnv({
        file: env.GSPREAD_SERVICE_ACCOUNT_FILE,
        json: env.GSPREAD_SERVICE_ACCOUNT_JSON,
        jsonB64: env.GSPREAD_SERVICE_ACCOUNT_JSON_B64,
      }))
    return makeSheetsExporter({
      auth,
      ...(options.rootUrl ? { rootUrl: options.rootUrl } : {}),
      ...(env.GSHEETS_SPREADSHEET_ID ? { spreadsheetId: env.GSHEETS_SPREADSHEET_ID } : {}),
      ...(env.GSHEETS_SPREADSHEET_NAME ? { name: env.GSHEETS_SPREADSHEET_NAME } : {}),
      allowCreate: env.GSHEETS_ALLOW_CREATE,
      shareWith: parseShareWith(env.GSHEETS_SHARE_WITH),
      ...(options.drive ? { drive: options.drive } : {}),
    })
  }
  return async (now) => {
    exporter ??= open()
    const ready = await exporter.catch((error: unknown) => {
      exporter = undefined
      throw error
    })
    return ready.export(await buildSheetsData(options.db, now, env.APSCHEDULER_TIMEZONE))
  }
}
