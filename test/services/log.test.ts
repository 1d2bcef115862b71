import { describe, expect, test } from "bun:test"
import { describeError } from "../../src/services/log"

describe("describeError", () => {
  test("bot tokens, API keys, database URLs and URLs with credentials → masked; the class kept", () => {
    const secrets = [
      "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw9",
      "bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw9",
      "sk-proj-abcdefghijklmnop1234",
      "AIzaSyA1234567890abcdefgh",
      "postgres://bot:secret@db.internal:5432/emco",
      "https://user:hunter2@proxy.example.ru/v1",
    ]
    const described = describeError(new TypeError(`failed with ${secrets.join(" and ")}`))
    expect(described.error).toBe("TypeError")
    for (const secret of secrets) expect(described.errorMessage).not.toContain(secret)
    expect(described.errorMessage).toContain("[redacted]")
  })

  test("ordinary text with numbers and colons → untouched", () => {
    expect(describeError(new Error("HTTP 500 at 12:30, attempts 3")).errorMessage).toBe(
      "HTTP 500 at 12:30, attempts 3",
    )
  })
})
