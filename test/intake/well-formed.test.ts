import { describe, expect, test } from "bun:test"
import { isWellFormedUpdate, nestedDeeperThan, storable } from "../../src/intake/well-formed"
import { callbackUpdate, textUpdate, voiceUpdate } from "../support/updates"

const user = { id: 7, is_bot: false, first_name: "Аня" }
const chat = { id: 7, type: "private" }
const msg = (extra: object) => ({
  update_id: 1,
  message: { message_id: 3, date: 0, chat, from: user, ...extra },
})

describe("isWellFormedUpdate", () => {
  test("what Telegram sends → accepted (text, command, button, voice, unknown update kinds)", () => {
    for (const u of [textUpdate("привет"), textUpdate("/start"), callbackUpdate("nav:menu"), voiceUpdate()])
      expect(isWellFormedUpdate(u)).toBe(true)
    expect(isWellFormedUpdate({ update_id: 5, poll: { id: "1" } })).toBe(true)
    expect(
      isWellFormedUpdate(msg({ text: "жирный", entities: [{ type: "bold", offset: 0, length: 6 }] })),
    ).toBe(true)
  })

  test("wrong types in the parts the bot reads → refused", () => {
    for (const u of [
      null,
      [],
      { update_id: -1 },
      { update_id: "1" },
      msg({ text: 12 }),
      msg({ chat: { id: "7", type: "private" } }),
      msg({ from: { id: "x", is_bot: false, first_name: "A" } }),
      msg({ from: { id: 7 } }),
      msg({ voice: { file_id: "v", file_unique_id: "u", duration: "long" } }),
      msg({ voice: { file_id: 1, file_unique_id: "u", duration: 1 } }),
      msg({ text: "ab", entities: [{ type: "bold", offset: 1, length: 5 }] }),
      msg({ text: "ab", entities: [{ type: "bold", offset: -1, length: 1 }] }),
      { update_id: 1, message: "text" },
      { update_id: 1, callback_query: { id: 1, from: user, data: "x" } },
      { update_id: 1, callback_query: { id: "1", from: user, data: 42 } },
    ])
      expect({ u, ok: isWellFormedUpdate(u) }).toEqual({ u, ok: false })
  })

  test("someone else writing in or pressing buttons of a private chat → a forgery, refused", () => {
    expect(isWellFormedUpdate(msg({ from: { ...user, id: 8 } }))).toBe(false)
    const forged = {
      id: "q",
      from: { ...user, id: 8 },
      data: "admin:stats",
      message: { message_id: 1, date: 0, chat },
    }
    expect(isWellFormedUpdate({ update_id: 1, callback_query: forged })).toBe(false)
    const group = { ...forged, message: { ...forged.message, chat: { id: -100, type: "group" } } }
    expect(isWellFormedUpdate({ update_id: 1, callback_query: group })).toBe(true)
  })
})

describe("storable", () => {
  test("NUL removed from every string, keys included; everything else untouched", () => {
    const dirty: unknown = { a: "x\u0000y", b: ["\u0000", 1, null, { "k\u0000": true }] }
    expect(storable(dirty)).toEqual({
      a: "xy",
      b: ["", 1, null, { k: true }],
    })
    const clean = { a: "ok", n: 1, list: [{ b: "x" }] }
    expect(storable(clean)).toBe(clean) // the same object: nothing copied when there is nothing to remove
  })

  test("lone UTF-16 surrogates → U+FFFD (keys too, same length); pairs such as emoji untouched", () => {
    const dirty: unknown = { text: "a\uD800b\uDC00c\uD83D", "k\uDFFF": ["🙂", "\uD83D\uDE42"] }
    expect(storable(dirty)).toEqual({ text: "a\uFFFDb\uFFFDc\uFFFD", "k\uFFFD": ["🙂", "🙂"] })
    const emoji = { text: "🙂 ок" }
    expect(storable(emoji)).toBe(emoji)
    // Found however deep and wherever it sits, with clean siblings around it (copied only along its path).
    const siblings = { kept: { x: "ok" }, list: [{ ok: "🙂" }, { deep: { deeper: ["fine", "bad\uDC00"] } }] }
    const out = storable(siblings) as typeof siblings
    expect(out.list[1]).toEqual({ deep: { deeper: ["fine", "bad\uFFFD"] } })
    expect(out.kept).toBe(siblings.kept)
  })
})

describe("nestedDeeperThan", () => {
  const nest = (depth: number): unknown => (depth === 1 ? {} : [nest(depth - 1)])
  test("counts objects and arrays (the value itself is level 1), scalars add nothing", () => {
    expect([nestedDeeperThan(nest(64), 64), nestedDeeperThan(nest(65), 64)]).toEqual([false, true])
    expect(nestedDeeperThan({ a: "x", b: [1, 2, { c: null }] }, 3)).toBe(false)
    expect(nestedDeeperThan("text", 0)).toBe(false)
    const objects = (depth: number): unknown =>
      depth === 1 ? { leaf: 1 } : { a: 1, inner: objects(depth - 1) }
    expect([nestedDeeperThan(objects(64), 64), nestedDeeperThan(objects(65), 64)]).toEqual([false, true])
  })

  test("100,000 levels → true without walking past the limit (no stack overflow)", () => {
    const deep = JSON.parse(`${"[".repeat(100_000)}${"]".repeat(100_000)}`)
    expect(nestedDeeperThan(deep, 64)).toBe(true)
  })
})
