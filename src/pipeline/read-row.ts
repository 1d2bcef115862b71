import type { Update } from "grammy/types"
import type { InboxRow } from "../../db/schema"
import { type Origin, originOf } from "./decode"
import type { EventPayload, Source } from "./stage"

/** What an inbox row is, read once: who it is for, and what it carries (an update, or a feedback event). */
export interface ReadRow {
  readonly origin: Origin
  readonly source: Source
}

/** Null for a row without a sender (nothing can be done for it). */
export const readRow = (row: InboxRow): ReadRow | null => {
  if (row.kind === "event") {
    const { origin, feedback } = row.payload as EventPayload
    return { origin, source: { _tag: "Event", feedback } }
  }
  const update = row.payload as Update
  const origin = originOf(update)
  return origin && { origin, source: { _tag: "Update", update } }
}
