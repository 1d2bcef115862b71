import { Effect } from "effect"
import type { Update } from "grammy/types"
import { ChatQueue } from "../pipeline/chat-queue"
import { originOf } from "../pipeline/decode"
import { Metrics } from "../services/metrics"
import { isWellFormedUpdate, withoutNul } from "./well-formed"

export type Receipt = "stored" | "duplicate" | "ignored"

/**
 * Intake for polling and the webhook alike: store first (the inbox dedupes on update_id), then hand the chat to
 * the queue. Returns once the update is durable; processing happens in the background, in chat order.
 */
export const receiveUpdate = (received: Update) =>
  Effect.gen(function* () {
    const metrics = yield* Metrics
    const update = withoutNul(received)
    if (!isWellFormedUpdate(update)) {
      metrics.validationRejections.inc({ reason: "malformed_update" })
      metrics.updates.inc({ type: "other", outcome: "ignored" })
      return "ignored" as Receipt
    }
    const origin = originOf(update)
    if (!origin) {
      metrics.updates.inc({ type: "other", outcome: "ignored" })
      return "ignored" as Receipt
    }
    const id = yield* (yield* ChatQueue).enqueue({
      chatId: origin.chatId,
      updateId: update.update_id,
      kind: "update",
      payload: update,
      userId: origin.userId,
    })
    if (id === null) {
      metrics.duplicates.inc()
      return "duplicate" as Receipt
    }
    return "stored" as Receipt
  })

/** Update types the bot subscribes to (setWebhook / getUpdates `allowed_updates`). */
export const ALLOWED_UPDATES = ["message", "callback_query"] as const
