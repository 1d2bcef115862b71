import { describe, expect, test } from "bun:test"
import { Result } from "effect"
import { chatPart, initialSession, type Session } from "../../src/core/session"
import { decodeChatState, ownChatPart } from "../../src/pipeline/own-states"

const inCase: Session = {
  ...initialSession,
  nextRequestId: 7,
  attempts: { fb_employee: 2 },
}

describe("own-states: a chat part this process wrote is a session already; anything else is decoded", () => {
  test("the part a step stores is the session's chat part, and the next load takes the session itself", () => {
    const part = ownChatPart(inCase)
    expect(part).toEqual(chatPart(inCase))
    const loaded = decodeChatState(part)
    expect(Result.isSuccess(loaded) && loaded.success).toBe(inCase)
  })

  test("the same state as the database returns it (a fresh object) is decoded: equal, not the same", () => {
    ownChatPart(inCase)
    const fromDatabase = JSON.parse(JSON.stringify(chatPart(inCase)))
    const loaded = decodeChatState(fromDatabase)
    expect(Result.isSuccess(loaded)).toBe(true)
    if (Result.isSuccess(loaded)) {
      expect(loaded.success).not.toBe(inCase)
      expect(chatPart(loaded.success)).toEqual(chatPart(inCase))
    }
  })

  test("a stored state that is not a session fails to decode, as before", () => {
    expect(Result.isFailure(decodeChatState({ flow: { _tag: "Nonsense" } }))).toBe(true)
    expect(Result.isFailure(decodeChatState("text"))).toBe(true)
  })
})
