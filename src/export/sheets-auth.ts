import { readFile } from "node:fs/promises"
import { Redacted } from "effect"
import type { JWT } from "google-auth-library"
import { SheetsExportError } from "./errors"

export const SHEETS_SCOPES = [
  "https://www.googleapis.com/auth/spreadsheets",
  // Only files this service account created or was given: enough to create, find by name and share.
  "https://www.googleapis.com/auth/drive.file",
] as const

type Secret = string | Redacted.Redacted<string> | undefined

/** GSPREAD_SERVICE_ACCOUNT_FILE / _JSON / _JSON_B64; the secrets may come Redacted from the config. */
export interface CredentialSources {
  readonly file?: string | undefined
  readonly json?: Secret
  readonly jsonB64?: Secret
}

const reveal = (secret: Secret): string | undefined => {
  const value = secret === undefined || typeof secret === "string" ? secret : Redacted.value(secret)
  return value?.trim() ? value.trim() : undefined
}

const invalid = (source: string, problem: string) =>
  new SheetsExportError({
    reason: "no_credentials",
    message: `Ключ сервисного аккаунта Google в ${source} не годится: ${problem} / invalid service account key in ${source}: ${problem}`,
  })

const fromJson = async (text: string, source: string): Promise<JWT> => {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw invalid(source, "не JSON / not JSON")
  }
  const sa = (typeof parsed === "object" && parsed !== null ? parsed : {}) as Record<string, unknown>
  if (typeof sa.client_email !== "string" || typeof sa.private_key !== "string") {
    throw invalid(source, "нет client_email или private_key / client_email or private_key missing")
  }
  // Loaded on the first export, not at start (~15 MiB an idle bot need not hold).
  const { JWT } = await import("google-auth-library")
  return new JWT({ email: sa.client_email, key: sa.private_key, scopes: [...SHEETS_SCOPES] })
}

/**
 * A JWT client for the service account: base64 JSON first, then raw JSON, then the file (the original's order).
 * Nothing is fetched here; the first API call obtains the token.
 */
export const authFromEnv = async (sources: CredentialSources): Promise<JWT> => {
  const b64 = reveal(sources.jsonB64)
  if (b64 !== undefined) {
    const text = Buffer.from(b64, "base64").toString("utf8")
    return fromJson(text, "GSPREAD_SERVICE_ACCOUNT_JSON_B64")
  }
  const json = reveal(sources.json)
  if (json !== undefined) return fromJson(json, "GSPREAD_SERVICE_ACCOUNT_JSON")
  const file = sources.file?.trim()
  if (file) {
    let text: string
    try {
      text = await readFile(file, "utf8")
    } catch {
      throw new SheetsExportError({
        reason: "no_credentials",
        message: `Не читается файл ключа ${file} (GSPREAD_SERVICE_ACCOUNT_FILE) / cannot read key file ${file}`,
      })
    }
    return fromJson(text, `файле/file ${file}`)
  }
  throw new SheetsExportError({
    reason: "no_credentials",
    message:
      "Нет ключа сервисного аккаунта Google: задайте GSPREAD_SERVICE_ACCOUNT_JSON_B64, GSPREAD_SERVICE_ACCOUNT_JSON " +
      "или GSPREAD_SERVICE_ACCOUNT_FILE / no Google service account credentials: set one of them",
  })
}
