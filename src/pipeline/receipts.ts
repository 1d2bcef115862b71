import type { Context } from "effect"
import { Effect } from "effect"
import type { NewRow, Stored } from "../repositories/enqueue.repo"
import type { MetricsShape } from "../services/metrics"
import { NEVER_SEEN, reduceAtReceipt, type StepAtReceipt } from "./at-receipt"
import { type ChatCopiesShape, chatCopies } from "./chat-copies"
import type { Deps } from "./deps"
import { reduceRow } from "./pipeline"

/**
 * Stores the row, with its step reduced at receipt if there is one. A step the database refuses (a value it cannot
 * take, which the update itself did not carry) must not keep the update out: then the row is stored plain.
 */
export const storeWithStep = (
  store: (row: NewRow) => Promise<Stored | null>,
  row: NewRow,
  reduced: StepAtReceipt | undefined,
): Promise<Stored | null> => (reduced ? store({ ...row, reduced }).catch(() => store(row)) : store(row))

/** Chats whose last step here is kept, for their next update to be reduced at receipt (chat-copies.ts). */
const COPIES_KEPT = 1000

/**
 * The chat queue's side of reducing at receipt (at-receipt.ts): a row of a free chat (no worker of ours on it, its
 * lease not ours) is reduced from our copy of the chat, or an update as a chat never seen; the store saves the step
 * with it if the guess was right. A copy is only a guess: one a worker of ours may be changing is dropped. A work's
 * result (an event) always comes to a chat that has a session: without a copy there is nothing to guess from.
 */
export const receiptReducer = (options: {
  readonly metrics: MetricsShape
  /** Whether the chat is free: no worker of ours on it, its lease not parked, the queue not stopping. */
  readonly free: (chatId: number) => boolean
  /** The services the stages run with (the queue's, completed once it exists). */
  readonly context: () => Context.Context<Deps>
}) => {
  const copies: ChatCopiesShape = chatCopies(COPIES_KEPT)
  return {
    copies,
    reduce: (row: NewRow): Effect.Effect<StepAtReceipt | undefined> => {
      const copy = copies.get(row.chatId)
      const unseen = row.kind === "update" ? NEVER_SEEN : undefined
      const expected = copy === undefined ? unseen : copy.userId === row.userId ? copy.loaded : undefined
      if (!options.free(row.chatId) || expected === undefined) return Effect.succeed(undefined)
      return reduceAtReceipt(row, expected, reduceRow).pipe(Effect.provideContext(options.context()))
    },
    /** Counts what became of the step and keeps the chat as it left it; in the step that answers the store. */
    settle: (row: NewRow, reduced: StepAtReceipt | undefined, stored: Stored | null) => {
      if (!reduced || !stored) return stored
      options.metrics.reducedAtReceipt.inc({ outcome: stored.reduced ? "saved" : "stored_plain" })
      if (stored.reduced && options.free(row.chatId))
        copies.remember(row.chatId, { userId: row.userId, loaded: reduced.after })
      else copies.forget(row.chatId)
      return stored
    },
  }
}
