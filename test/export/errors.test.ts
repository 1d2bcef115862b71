import { describe, expect, test } from "bun:test"
import { toExportError } from "../../src/export/errors"

const googleError = (status: number) =>
  Object.assign(new Error("Request failed"), {
    response: { status, data: { error: { message: "The caller does not have permission" } } },
  })

describe("a failed Google call, by what the admin can do about it", () => {
  test("401, 403 and 404 are an access problem (ask the operator), not something to retry", () => {
    for (const status of [401, 403, 404])
      expect(toExportError(googleError(status), "spreadsheets.get").reason).toBe("not_found")
  })

  test("anything else is Google refusing for now", () => {
    for (const status of [400, 429, 500, 503])
      expect(toExportError(googleError(status), "spreadsheets.get").reason).toBe("api")
  })

  test("the detail for the log keeps the call, the status and Google's own words", () => {
    expect(toExportError(googleError(403), "spreadsheets.get").message).toContain(
      "spreadsheets.get: HTTP 403, The caller does not have permission",
    )
  })
})
