import type { Update } from "grammy/types"
import type { InboxRow } from "../../db/schema"
import { type Origin, originOf } from "./decode"
import type { EventPayload } from "./stage"

/** Who an inbox row is for: the sender of an update, or the origin recorded with a feedback event. */
export const rowOrigin = (row: InboxRow): Origin | null =>
  row.kind === "event" ? (row.payload as EventPayload).origin : originOf(row.payload as Update)
