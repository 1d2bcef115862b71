import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Redacted } from "effect"
import { authFromEnv, type CredentialSources, SHEETS_SCOPES } from "../../src/export/sheets-auth"
import { makeSheetsExporter, SheetsExportError } from "../../src/export/sheets-export"
import { startFakeSheets } from "../support/fake-sheets"

setDefaultTimeout(30_000)

const KEY = "-----BEGIN PRIVATE KEY-----\nMIIBOGUSsecretKEYmaterial\n-----END PRIVATE KEY-----\n"
const account = (email: string) =>
  JSON.stringify({ type: "service_account", client_email: email, private_key: KEY })
const dir = mkdtempSync(join(tmpdir(), "emco-sa-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const failure = (sources: CredentialSources) =>
  authFromEnv(sources).then(
    () => undefined,
    (e: unknown) => e,
  )

describe("authFromEnv", () => {
  test("base64 JSON wins over raw JSON and the file; JWT has spreadsheets + drive.file scopes", async () => {
    const file = join(dir, "gsa.json")
    writeFileSync(file, account("file@p.iam.gserviceaccount.com"))
    const jwt = await authFromEnv({
      jsonB64: Buffer.from(account("b64@p.iam.gserviceaccount.com")).toString("base64"),
      json: account("json@p.iam.gserviceaccount.com"),
      file,
    })
    expect(jwt.email).toBe("b64@p.iam.gserviceaccount.com")
    expect(jwt.scopes).toEqual([...SHEETS_SCOPES])
    expect(SHEETS_SCOPES).toEqual([
      "https://www.googleapis.com/auth/spreadsheets",
      "https://www.googleapis.com/auth/drive.file",
    ])
    expect((await authFromEnv({ json: Redacted.make(account("json@p")), file })).email).toBe("json@p")
    expect((await authFromEnv({ json: "  ", file })).email).toBe("file@p.iam.gserviceaccount.com")
  })

  test("nothing set → no_credentials naming the three variables, in Russian and English", async () => {
    const error = await failure({})
    expect(error).toBeInstanceOf(SheetsExportError)
    expect(error).toMatchObject({ reason: "no_credentials" })
    const message = (error as Error).message
    expect(message).toContain("Нет ключа сервисного аккаунта Google")
    expect(message).toContain("no Google service account credentials")
    expect(message).toContain("GSPREAD_SERVICE_ACCOUNT_JSON_B64")
  })

  test("broken JSON, missing fields or an unreadable file → no_credentials without the secret", async () => {
    const broken = `{"private_key": "${KEY.slice(0, 40)}`
    const cases: CredentialSources[] = [
      { json: Redacted.make(broken) },
      { jsonB64: Buffer.from(broken).toString("base64") },
      { json: JSON.stringify({ private_key: KEY }) },
      { file: join(dir, "missing.json") },
    ]
    for (const sources of cases) {
      const error = await failure(sources)
      expect(error).toMatchObject({ _tag: "SheetsExportError", reason: "no_credentials" })
      expect((error as Error).message).toMatch(/GSPREAD_SERVICE_ACCOUNT|missing\.json/)
      expect((error as Error).message).not.toContain("BOGUS")
    }
  })

  test("a key that cannot sign → api error before any request, the key never in the message", async () => {
    const fake = startFakeSheets()
    try {
      const auth = await authFromEnv({ json: account("x@p.iam.gserviceaccount.com") })
      const run = makeSheetsExporter({ auth, rootUrl: `${fake.url}/`, spreadsheetId: "S1" })
      const error = await run.export({ Summary: [["x"]] }).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(error).toMatchObject({ _tag: "SheetsExportError", reason: "api" })
      expect((error as Error).message).not.toContain("BOGUS")
      expect(fake.requests).toHaveLength(0)
    } finally {
      await fake.stop()
    }
  })
})
