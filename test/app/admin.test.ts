import { describe, expect, test } from "bun:test"
import { adminTexts as t } from "../../src/admin/texts"
import { adminReducer } from "../../src/app/admin"
import { Cmd } from "../../src/app/commands"
import type { AppEvent, Feedback, RoleChangeOutcome } from "../../src/app/model"
import { initialSession } from "../../src/app/session"

const ev = (event: Feedback): AppEvent => ({
  input: { _tag: "Feedback", event },
  actor: { userId: 1, chatId: 1, role: "admin", firstName: "Олег", username: null, since: null },
  now: 0,
  authEnabled: true,
})

const changed = (outcome: RoleChangeOutcome, role: "user" | "admin" | "none", target = "@anya") =>
  ev({ _tag: "RoleChanged", target, role, outcome, userId: outcome === "done" ? 42 : null })

describe("adminReducer: how /setrole went", () => {
  const cases: ReadonlyArray<readonly [string, AppEvent, string]> = [
    ["granted", changed("done", "admin"), t.setroleDone("@anya", "admin")],
    ["revoked → how to give it back, by id", changed("done", "none"), t.setroleRevoked("@anya", 42)],
    ["unknown @username → ask for the numeric id", changed("not_found", "user"), t.setroleNotFound("@anya")],
    [
      "a @username two users share → ask for the numeric id",
      changed("ambiguous", "user"),
      t.setroleAmbiguous("@anya"),
    ],
    ["the last admin demoting themselves → refused", changed("last_admin", "none", "1"), t.setroleLastAdmin],
  ]
  for (const [label, event, text] of cases)
    test(`${label}`, () => {
      expect(adminReducer(initialSession, event)).toEqual([initialSession, [Cmd.reply(text)]])
    })

  test("the texts → a @username gets the numeric-id hint; a revocation says how to restore", () => {
    expect(t.setroleNotFound("@anya")).toContain("числовой Telegram ID")
    expect(t.setroleAmbiguous("@anya")).toContain("числовой Telegram ID")
    expect(t.setroleRevoked("@anya", 42)).toContain("/setrole 42 user")
  })
})
