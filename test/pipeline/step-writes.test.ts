import { describe, expect, test } from "bun:test"
import type { InboxRow } from "../../db/schema"
import { initialSession, type Session } from "../../src/core/session"
import { NEVER_SEEN } from "../../src/pipeline/at-receipt"
import type { LoadedCtx, Source } from "../../src/pipeline/stage"
import { stepWrites } from "../../src/pipeline/step-writes"

const row = { id: 1, chat_id: 7 } as InboxRow
const update: Source = { _tag: "Update", update: { update_id: 1 } }
const event: Source = { _tag: "Event", feedback: { _tag: "Forgotten" } }

type StoredName = { readonly username: string | null; readonly firstName: string | null }

const ctx = (o: { source?: Source; stored?: StoredName | null; username?: string | null } = {}) => {
  const loaded: Session = { ...initialSession }
  const stored = o.stored === undefined ? { username: "anya", firstName: "Аня" } : o.stored
  return {
    row,
    origin: { chatId: 7, userId: 7, firstName: "Аня", username: o.username ?? "anya" },
    source: o.source ?? update,
    actor: {
      userId: 7,
      chatId: 7,
      role: "user",
      firstName: "Аня",
      username: o.username ?? "anya",
      since: null,
    },
    session: loaded,
    loaded: { ...NEVER_SEEN, sender: stored ? { role: "user", since: null, ...stored } : undefined },
    loadedSession: loaded,
    version: 2,
    now: 0,
  } satisfies LoadedCtx
}

describe("stepWrites", () => {
  test("nothing changed → nothing besides the commands", () => {
    const c = ctx()
    expect(stepWrites(c, c.loadedSession)).toEqual({})
    expect(stepWrites(c, { ...c.loadedSession })).toEqual({})
  })

  test("only the rate windows changed → the counters, not the chat's state", () => {
    const c = ctx()
    const rate = { ...c.loadedSession.rate, minute: { start: 5, count: 1, warned: false } }
    expect(stepWrites(c, { ...c.loadedSession, rate })).toEqual({
      counters: { userId: 7, auth: c.loadedSession.auth, rate },
    })
  })

  test("the flow changed → the chat's state without the sender's counters", () => {
    const c = ctx()
    const next: Session = { ...c.loadedSession, flow: { _tag: "SurveyComment" } }
    const { auth: _auth, rate: _rate, ...chat } = next
    expect(stepWrites(c, next)).toEqual({ state: chat })
    expect(Object.keys(stepWrites(c, next).state as object)).not.toContain("auth")
  })

  test("a known sender's new @username or name in an update → the profile; a feedback event or a stranger → not", () => {
    const renamed = ctx({ username: "anya_new" })
    expect(stepWrites(renamed, renamed.loadedSession)).toEqual({
      profile: { userId: 7, username: "anya_new", firstName: "Аня" },
    })
    const answer = ctx({ username: "anya_old", source: event })
    expect(stepWrites(answer, answer.loadedSession)).toEqual({})
    const stranger = ctx({ username: "someone", stored: null })
    expect(stepWrites(stranger, stranger.loadedSession)).toEqual({})
  })
})
