import { Result, Schema } from "effect"
import { chatPart, Session } from "../core/session"

const decodeSession = Schema.decodeUnknownResult(Session)

// The chat parts this process's reducers wrote, each with the session it was cut from. A chat's copy (at-receipt.ts)
// hands its last one to the chat's next step: decoding a session again, a dialogue's every step (the learner's line
// and the AI's answer), cost ~8 % of the bot's CPU per AI turn. Keyed by the object itself: whatever the database
// returns is a fresh object, never found here, and is decoded.
const own = new WeakMap<object, Session>()

/** What a step stores of `next` (core/session.ts chatPart), known as a session to the next load here. */
export const ownChatPart = (next: Session) => {
  const part = chatPart(next)
  own.set(part, next)
  return part
}

/** A stored chat state as a session: decoded, unless this process made it (then its counters are set by the load). */
export const decodeChatState = (state: unknown) => {
  const known = typeof state === "object" && state !== null ? own.get(state) : undefined
  return known ? Result.succeed(known) : decodeSession(state)
}
