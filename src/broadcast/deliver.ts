import type { Kysely } from "kysely"
import type { Database } from "../../db/schema"
import { Aborted, BROADCAST_RATE, Pacer, sleep } from "../lib/send-pacer"
import { type BroadcastCounts, findBroadcast, finishBroadcast, startBroadcast } from "./broadcasts.repo"
import {
  claimPending,
  countsOf,
  markBlocked,
  markFailed,
  markSending,
  markSent,
  settleInterrupted,
} from "./recipients.repo"

/**
 * Sends one broadcast message. It awaits `paced` right before its request, after any reads of its own (a nudge
 * reads the learner's attempts): the pacer counts sends as they go out. It must reject with the Bot API error
 * (grammY's GrammyError, the app's TelegramError, or anything carrying `error_code`/`code`, `description` and
 * optionally `parameters.retry_after`); any other rejection is treated as a network error. It must not retry 429s
 * itself (no auto-retry on this Api), or the pacer cannot see them.
 */
export type BroadcastSend = (chatId: number, html: string, paced: () => Promise<void>) => Promise<void>

export interface DeliverOptions {
  readonly db: Kysely<Database>
  readonly send: BroadcastSend
  readonly broadcastId: number
  /** Global pace; Telegram allows about 30 messages per second to different chats. */
  readonly ratePerSecond?: number
  /**
   * The bot's pacer (`pacerFor`), shared with its other broadcasts and its replies: Telegram's limit is the bot's.
   * Without it, a pacer of this delivery's own at `ratePerSecond`.
   */
  readonly pacer?: Pacer
  readonly onProgress?: (counts: BroadcastCounts) => Promise<void>
  /** Called once per settled recipient (metrics). */
  readonly onSettled?: (state: "sent" | "failed" | "blocked" | "rate_limited") => void
  /** How often to re-read the status (cancel) and report progress. */
  readonly progressEveryMs?: number
  /** Attempts for a network error or a 5xx before the recipient is marked failed. */
  readonly maxAttempts?: number
  /** Backoff before the n-th retry of a network error / 5xx is `retryBackoffMs * n`. */
  readonly retryBackoffMs?: number
  readonly signal?: AbortSignal
}

export type DeliverOutcome = "done" | "cancelled" | "aborted" | "missing"

export interface DeliverResult extends BroadcastCounts {
  readonly outcome: DeliverOutcome
  /** 429 answers seen (each paused the pacer for its retry_after). */
  readonly rateLimited: number
}

const BATCH = 50

interface ApiFailure {
  readonly code: number | null
  readonly description: string
  readonly retryAfter: number | null
}

const failureOf = (e: unknown): ApiFailure => {
  const o = (typeof e === "object" && e !== null ? e : {}) as Record<string, unknown>
  const code = typeof o.error_code === "number" ? o.error_code : typeof o.code === "number" ? o.code : null
  const description =
    typeof o.description === "string" ? o.description : e instanceof Error ? e.message : String(e)
  const parameters = o.parameters as { retry_after?: unknown } | undefined
  const fromParams = typeof parameters?.retry_after === "number" ? parameters.retry_after : null
  const fromText = /retry after (\d+)/i.exec(description)?.[1]
  return { code, description, retryAfter: fromParams ?? (fromText ? Number(fromText) : null) }
}

/** "Forbidden: bot was blocked by the user" → "bot was blocked by the user". */
const shortReason = (f: ApiFailure) => {
  const text = f.description.replace(/^(Bad Request|Forbidden):\s*/i, "")
  return f.code === null ? text : `${f.code}: ${text}`
}

/**
 * Delivers a broadcast to its pending recipients, once each, in user id order, paced just under Telegram's limit.
 *
 * Each recipient is marked (sent / failed / blocked) right after its send, so a delivery that crashes or is
 * aborted and is started again continues where it stopped. A send in flight at a crash (its message may have gone
 * out before the row was marked) is not repeated: the next delivery marks it failed (`settleInterrupted`). One deliverer per broadcast at a time (the caller holds the
 * scheduler's lease); a second concurrent one could send to the same recipient twice.
 *
 * - 403 (blocked by the user, user deactivated, kicked) → `blocked`, no retry;
 * - 429 → the whole pacer pauses for retry_after, then the same recipient is retried (not counted as an attempt);
 * - other 4xx → `failed` with Telegram's short reason;
 * - network errors / 5xx → retried up to `maxAttempts` attempts, then `failed`.
 *
 * Stops when the broadcast is cancelled (status re-read every progress tick) or `signal` aborts; the in-flight send
 * finishes and is marked first.
 */
export const deliverBroadcast = async (opts: DeliverOptions): Promise<DeliverResult> => {
  const {
    db,
    send,
    broadcastId,
    ratePerSecond = BROADCAST_RATE,
    onProgress,
    onSettled = () => undefined,
    progressEveryMs = 2000,
    maxAttempts = 3,
    retryBackoffMs = 1000,
    signal,
  } = opts
  const pacer = opts.pacer ?? new Pacer(ratePerSecond)
  // Not abortable: the row is marked sending by then, so an abort there would settle a recipient never sent to.
  const paced = () => pacer.window()
  let rateLimited = 0
  const result = async (outcome: DeliverOutcome): Promise<DeliverResult> => ({
    ...(await countsOf(db, broadcastId)),
    outcome,
    rateLimited,
  })

  const broadcast = await findBroadcast(db, broadcastId)
  if (!broadcast) return result("missing")
  if (broadcast.status === "cancelled") return result("cancelled")
  if (!(await startBroadcast(db, broadcastId)))
    return result(broadcast.status === "done" ? "done" : "cancelled")
  const interrupted = await settleInterrupted(db, broadcastId)
  for (let i = 0; i < interrupted; i++) onSettled("failed")

  let lastTick = Date.now()
  /** Re-reads the status and reports progress every `progressEveryMs`; false when the broadcast was cancelled. */
  const tick = async (): Promise<boolean> => {
    if (Date.now() - lastTick < progressEveryMs) return true
    lastTick = Date.now()
    const current = await findBroadcast(db, broadcastId)
    if (onProgress) await onProgress(await countsOf(db, broadcastId)).catch(() => undefined)
    return current?.status === "sending"
  }

  /** Sends to one recipient until it is settled; marks its row. */
  const deliverOne = async (userId: number) => {
    let attempts = 0
    for (;;) {
      await pacer.take(1, signal)
      attempts += 1
      try {
        await markSending(db, broadcastId, userId)
        await send(userId, broadcast.html, paced)
        await markSent(db, broadcastId, userId, attempts)
        onSettled("sent")
        return
      } catch (e) {
        const f = failureOf(e)
        if (f.code === 429) {
          rateLimited += 1
          onSettled("rate_limited")
          attempts -= 1
          pacer.pauseFor((f.retryAfter ?? 1) * 1000)
          continue
        }
        // 403: blocked by the user, user deactivated, kicked from the chat — nobody to send to.
        if (f.code === 403) {
          await markBlocked(db, broadcastId, userId, shortReason(f), attempts)
          onSettled("blocked")
          return
        }
        const final = f.code !== null && f.code >= 400 && f.code < 500
        if (final || attempts >= maxAttempts) {
          await markFailed(db, broadcastId, userId, shortReason(f), attempts)
          onSettled("failed")
          return
        }
        await sleep(retryBackoffMs * attempts, signal)
      }
    }
  }

  try {
    for (;;) {
      if (signal?.aborted) return result("aborted")
      const batch = await claimPending(db, broadcastId, BATCH)
      if (batch.length === 0) break
      for (const recipient of batch) {
        if (signal?.aborted) return result("aborted")
        if (!(await tick())) return result("cancelled")
        await deliverOne(recipient.user_id)
      }
    }
  } catch (e) {
    if (e instanceof Aborted) return result("aborted")
    throw e
  }
  if ((await findBroadcast(db, broadcastId))?.status === "cancelled") return result("cancelled")
  await finishBroadcast(db, broadcastId)
  const final = await result("done")
  if (onProgress) await onProgress(final).catch(() => undefined)
  return final
}
