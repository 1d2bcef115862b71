import type { OAuth2Client } from "google-auth-library"
import { guarded } from "./errors"

// Drive v3 over the auth client's own `request` (it adds the bearer token): @googleapis/drive is not installed.

export const DRIVE_ROOT_URL = "https://www.googleapis.com/"
const SPREADSHEET_MIME = "application/vnd.google-apps.spreadsheet"

export interface DriveOptions {
  /** Base URL of the Drive API (tests: the fake); default https://www.googleapis.com/. */
  readonly rootUrl?: string
}

const base = (options: DriveOptions | undefined) => (options?.rootUrl ?? DRIVE_ROOT_URL).replace(/\/+$/, "")

/** Drive query string literal: backslash and quote escaped. */
const literal = (text: string) => `'${text.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`

/** The id of a spreadsheet with this exact name that the service account can see (drive.file: its own). */
export const findSpreadsheetByName = async (
  auth: OAuth2Client,
  name: string,
  options?: DriveOptions,
): Promise<string | undefined> => {
  const q = `name = ${literal(name)} and mimeType = '${SPREADSHEET_MIME}' and trashed = false`
  const response = await guarded("Drive files.list", () =>
    auth.request<{ files?: ReadonlyArray<{ id?: string }> }>({
      url: `${base(options)}/drive/v3/files`,
      method: "GET",
      params: { q, fields: "files(id,name)", orderBy: "createdTime", pageSize: 10 },
    }),
  )
  return response.data.files?.find((f) => f.id)?.id
}

/** Gives one address writer access; one request per address, so one bad address spoils nothing else. */
export const shareSpreadsheet = async (
  auth: OAuth2Client,
  fileId: string,
  email: string,
  options?: DriveOptions,
): Promise<void> => {
  await guarded(`Drive permissions.create for ${email}`, () =>
    auth.request({
      url: `${base(options)}/drive/v3/files/${encodeURIComponent(fileId)}/permissions`,
      method: "POST",
      data: { type: "user", role: "writer", emailAddress: email },
    }),
  )
}
