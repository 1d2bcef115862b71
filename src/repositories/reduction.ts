import type { ProfileWrite } from "../auth/roles.repo"
import type { CountersWrite } from "./limits.repo"

/** One step of a chat, as saved: see saveReduction (sessions.repo.ts). */
export interface Reduction {
  readonly rowId: number
  readonly chatId: number
  /** The chat's next state; absent when it did not change (then only the row is marked, with no version check). */
  readonly state?: unknown
  /** The session version the state was computed from (0 = no session row yet). */
  readonly expectedVersion: number
  readonly commands: unknown
  readonly redactPayload?: unknown
  /** The sender's lockout and rate windows, when they changed. */
  readonly counters?: CountersWrite
  /** A known sender's current name, when it differs from the stored one. */
  readonly profile?: ProfileWrite
}
