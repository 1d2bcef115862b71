import { describe, expect, test } from "bun:test"
import { cases } from "../../src/cases/registry"
import { button, callbackData } from "../../src/core/callback-data"
import type { Keyboard } from "../../src/core/commands"
import * as keyboards from "../../src/nav/keyboards"
import { texts } from "../../src/nav/texts"

const utf8Bytes = (s: string): number => new TextEncoder().encode(s).length

/** Every zero-argument keyboard builder exported by keyboards.ts, by name. */
const allKeyboards = (): ReadonlyArray<readonly [string, Keyboard]> =>
  Object.entries(keyboards).map(([name, build]) => [name, (build as () => Keyboard)()] as const)

describe("callbackData", () => {
  for (const target of ["menu", "faq", "help"] as const) {
    test(`nav(${target}) → decodes back to Nav ${target}`, () => {
      expect(callbackData.decode(callbackData.nav(target))).toEqual({ _tag: "Nav", target })
    })
  }

  test("broadcast payloads → round-trip; forged ones → Unknown", () => {
    for (const action of ["now", "drop", "list"] as const)
      expect(callbackData.decode(callbackData.broadcast(action))).toEqual({ _tag: "Broadcast", action })
    expect(callbackData.decode(callbackData.broadcastSend("1x9z"))).toEqual({
      _tag: "BroadcastSend",
      preview: "1x9z",
    })
    expect(callbackData.decode("bc:send")).toEqual({ _tag: "BroadcastSend", preview: null })
    expect(callbackData.decode(callbackData.broadcastAudience("never_completed"))).toEqual({
      _tag: "BroadcastAudience",
      audience: "never_completed",
    })
    expect(callbackData.decode(callbackData.broadcastStop(42))).toEqual({
      _tag: "BroadcastStop",
      id: 42,
      fromList: false,
    })
    expect(callbackData.decode(callbackData.broadcastStop(42, true))).toEqual({
      _tag: "BroadcastStop",
      id: 42,
      fromList: true,
    })
    for (const raw of [
      "bc",
      "bc:",
      "bc:to:everyone",
      "bc:stop:",
      "bc:stop:-1",
      "bc:stop:1e3",
      "bc:now:1",
      "bc:stop:1:2",
      "bc:send:",
      "bc:send:ABC",
      "bc:send:12345678",
    ])
      expect(callbackData.decode(raw)).toEqual({ _tag: "Unknown", raw })
  })

  test("an attempt opened from a results page carries the page; buttons from before it open with page 0", () => {
    expect(callbackData.attempt(12, false, 3)).toBe("att:12:p3")
    expect(callbackData.decode("att:12:p3")).toEqual({
      _tag: "AttemptOpen",
      id: 12,
      transcript: false,
      page: 3,
    })
    expect(callbackData.decode("att:12")).toEqual({ _tag: "AttemptOpen", id: 12, transcript: false, page: 0 })
    expect(callbackData.decode(callbackData.attempt(12, true))).toEqual({
      _tag: "AttemptOpen",
      id: 12,
      transcript: true,
      page: 0,
    })
    for (const raw of ["att:12:p", "att:12:p-1", "att:12:p12345", "att:12:x", "att:12:p1:t"])
      expect(callbackData.decode(raw)).toEqual({ _tag: "Unknown", raw })
  })

  test("a user card opened from a /users page carries the page; buttons from before it open with page 0", () => {
    expect(callbackData.userCard(42, 2)).toBe("usr:42:2")
    expect(callbackData.decode("usr:42:2")).toEqual({ _tag: "UserCard", userId: 42, page: 2 })
    expect(callbackData.decode("usr:42")).toEqual({ _tag: "UserCard", userId: 42, page: 0 })
    for (const raw of ["usr:42:", "usr:42:x", "usr:42:12345", "usr:42:1:1"])
      expect(callbackData.decode(raw)).toEqual({ _tag: "Unknown", raw })
  })

  test("leave payloads (answers to the leaving question) → round-trip; forged ones → Unknown", () => {
    for (const choice of ["stay", "finish", "drop"] as const)
      for (const id of [0, 7, 123_456_789_012_345])
        expect(callbackData.decode(callbackData.leave(id, choice))).toEqual({ _tag: "Leave", id, choice })
    expect(callbackData.leave(12, "finish")).toBe("leave:12:finish")
    expect(utf8Bytes(callbackData.leave(999_999_999_999_999, "finish"))).toBeLessThanOrEqual(64)
    for (const raw of [
      "leave",
      "leave:",
      "leave:1",
      "leave:1:",
      "leave::stay",
      "leave:x:stay",
      "leave:-1:stay",
      "leave:01:stay",
      "leave:1e3:stay",
      "leave:1.5:stay",
      "leave:1234567890123456:stay",
      "leave:1:quit",
      "leave:1:STAY",
      "leave:1:stay:extra",
      "LEAVE:1:stay",
    ])
      expect(callbackData.decode(raw)).toEqual({ _tag: "Unknown", raw })
  })

  test("nav payloads → the exact wire strings", () => {
    expect([callbackData.nav("menu"), callbackData.nav("faq"), callbackData.nav("help")]).toEqual([
      "nav:menu",
      "nav:faq",
      "nav:help",
    ])
  })

  for (const raw of [
    "",
    "nav",
    "nav:",
    "nav:settings",
    "NAV:faq",
    "nav:FAQ",
    "case:1",
    ":faq",
    "faq",
    "nav:faq:extra",
  ]) {
    test(`decode ${JSON.stringify(raw)} → Unknown with the raw data`, () => {
      expect(callbackData.decode(raw)).toEqual({ _tag: "Unknown", raw })
    })
  }

  test("button → text and data as given", () => {
    expect(button("Go", "nav:menu")).toEqual({ text: "Go", data: "nav:menu" })
  })
})

describe("keyboards", () => {
  test("mainMenu → one row per case in registry order, then FAQ and Help, then results and the survey", () => {
    const menu = keyboards.mainMenu()
    expect(menu._tag).toBe("Inline")
    const rows = menu._tag === "Inline" ? menu.rows : []
    expect(rows).toEqual([
      ...cases.map((c) => [{ text: c.texts.title, data: `menu:${c.id}` }]),
      [
        { text: texts.buttons.faq, data: "nav:faq" },
        { text: texts.buttons.help, data: "nav:help" },
      ],
      [
        { text: texts.buttons.results, data: "nav:results" },
        { text: texts.buttons.rate, data: "rate:open" },
      ],
    ])
  })

  test("admin menu payloads → decoded, the file exports too; anything else → Unknown", () => {
    for (const action of ["stats", "users", "menu", "xlsx", "csv"] as const)
      expect(callbackData.decode(callbackData.admin(action))).toEqual({ _tag: "Admin", action })
    expect(callbackData.decode("admin:pdf")).toEqual({ _tag: "Unknown", raw: "admin:pdf" })
  })

  test("survey payloads → decoded; out-of-range answers → Unknown", () => {
    expect(callbackData.decode("rate:open")).toEqual({ _tag: "SurveyOpen" })
    expect(callbackData.decode("rate:skip")).toEqual({ _tag: "SurveySkip" })
    expect(callbackData.decode("rate:3:2:10")).toEqual({
      _tag: "SurveyAnswer",
      run: 3,
      question: 2,
      value: 10,
    })
    expect(callbackData.decode(callbackData.surveyAnswer(7, 1, 4))).toEqual({
      _tag: "SurveyAnswer",
      run: 7,
      question: 1,
      value: 4,
    })
    // The answers of the version before survey runs (rate:question:value) are stale buttons now.
    for (const raw of [
      "rate:2:10",
      "rate:1:1:0",
      "rate:1:1:11",
      "rate:x:1:5",
      "rate:1:1:5:9",
      "rate:1:12:5",
      "rate:",
    ])
      expect(callbackData.decode(raw)).toEqual({ _tag: "Unknown", raw })
  })

  test("backToMenu → a single main-menu button", () => {
    expect(keyboards.backToMenu()).toEqual({
      _tag: "Inline",
      rows: [[{ text: texts.buttons.menu, data: "nav:menu" }]],
    })
  })

  test("keyboards module → exports at least mainMenu and backToMenu", () => {
    expect(allKeyboards().map(([name]) => name)).toEqual(expect.arrayContaining(["mainMenu", "backToMenu"]))
  })

  test("every inline button's callback_data → 1..64 bytes of UTF-8 and decodes to a known payload", () => {
    for (const [name, keyboard] of allKeyboards()) {
      if (keyboard._tag !== "Inline") continue
      for (const b of keyboard.rows.flat()) {
        const where = `${name}: ${b.text}`
        expect({ where, bytes: utf8Bytes(b.data) <= 64 && utf8Bytes(b.data) > 0 }).toEqual({
          where,
          bytes: true,
        })
        expect({ where, tag: callbackData.decode(b.data)._tag }).not.toEqual({ where, tag: "Unknown" })
      }
    }
  })

  test("every inline button → non-empty text", () => {
    for (const [, keyboard] of allKeyboards()) {
      if (keyboard._tag !== "Inline") continue
      for (const b of keyboard.rows.flat()) expect(b.text.trim().length).toBeGreaterThan(0)
    }
  })

  test("utf8Bytes helper → counts bytes, not characters", () => {
    expect([utf8Bytes("nav:faq"), utf8Bytes("я"), utf8Bytes("😀")]).toEqual([7, 2, 4])
  })
})
