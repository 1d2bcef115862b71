/** Who receives a broadcast: everyone with a role, one role, or users with a role who never finished a case. */
export const AUDIENCES = ["all", "users", "admins", "never_completed"] as const
export type Audience = (typeof AUDIENCES)[number]

/**
 * The weekly practice reminder travels as a broadcast to its own audience (opted in, with a role, not revoked, not
 * known to have blocked the bot since they last wrote): paced, once per recipient, resumed after a crash. It is not an
 * admin's broadcast and is not listed among them.
 */
export const NUDGE_AUDIENCE = "practice_nudge"

export const isAudience = (s: string): s is Audience => (AUDIENCES as ReadonlyArray<string>).includes(s)

export type BroadcastStatus = "scheduled" | "sending" | "done" | "cancelled"

export interface BroadcastCounts {
  readonly total: number
  readonly pending: number
  readonly sent: number
  readonly failed: number
  readonly blocked: number
}

/** A broadcast as admins see it (/broadcasts, the live progress message). Plain data. */
export interface BroadcastView {
  readonly id: number
  readonly audience: string
  readonly status: BroadcastStatus
  /** Epoch ms. */
  readonly sendAt: number
  readonly counts: BroadcastCounts
}
