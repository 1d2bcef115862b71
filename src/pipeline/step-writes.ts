import type { Session } from "../core/session"
import type { Reduction } from "../repositories/reduction"
import { ownChatPart } from "./own-states"
import type { LoadedCtx } from "./stage"

type Writes = Pick<Reduction, "state" | "counters" | "profile">

// Reducers copy a session with spreads, so a field they did not touch keeps its identity: comparing fields by
// identity finds what changed without serialising anything.
const chatChanged = (loaded: Session, next: Session) =>
  next !== loaded &&
  (Object.keys(next) as Array<keyof Session>).some(
    (k) => k !== "auth" && k !== "rate" && next[k] !== loaded[k],
  )

/**
 * What a step writes besides its commands, each only when it changed: the chat's state (without the sender's
 * counters), the sender's counters (user_limits, by user id), and a known sender's name as Telegram shows it now.
 */
export const stepWrites = (ctx: LoadedCtx, next: Session): Writes => {
  const loaded = ctx.loadedSession
  const { userId, username, firstName } = ctx.actor
  // The name stored with the sender's role (none without one).
  const stored = ctx.loaded.sender
  // Only an update carries the name as it is now; a feedback event carries the one of the update it answers.
  const renamed =
    ctx.source._tag === "Update" &&
    stored !== undefined &&
    (stored.username !== username || stored.firstName !== firstName)
  return {
    ...(chatChanged(loaded, next) ? { state: ownChatPart(next) } : {}),
    ...(next.auth !== loaded.auth || next.rate !== loaded.rate
      ? { counters: { userId, auth: next.auth, rate: next.rate } }
      : {}),
    ...(renamed ? { profile: { userId, username, firstName } } : {}),
  }
}
