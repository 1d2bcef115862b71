import type { Kysely } from "kysely"
import type { Database } from "../../db/schema"
import { NUDGE_AUDIENCE } from "../core/audience"
import type { Keyboard } from "../core/commands"
import type { Pacer } from "../lib/send-pacer"
import { type ScheduledJob, scheduleOneOffJob } from "../scheduler/jobs.repo"
import { type BroadcastCounts, findBroadcast, viewOf } from "./broadcasts.repo"
import { type BroadcastSend, type DeliverOptions, deliverBroadcast } from "./deliver"
import { progressKeyboard, renderBroadcast } from "./render"

export const broadcastJobName = (id: number) => `broadcast:${id}`

export interface BroadcastJobOptions {
  readonly db: Kysely<Database>
  /** A Bot API send without auto-retry (the pacer must see 429s). */
  readonly send: BroadcastSend
  /** Edits the admin's progress message; failures are ignored (it is only a view). */
  readonly edit: (chatId: number, messageId: number, html: string, keyboard?: Keyboard) => Promise<unknown>
  readonly timeZone: string
  /** Sends the weekly practice reminder to one learner (their own text and buttons); without auto-retry. */
  readonly sendNudge?: (userId: number, paced: () => Promise<void>) => Promise<void>
  readonly onSettled?: DeliverOptions["onSettled"]
  /** The bot's pacer, shared by every broadcast and nudge run and the bot's replies (deliver.ts). */
  readonly pacer?: Pacer
  /** After a failed run (database trouble), the job runs again this much later; 30 s by default. */
  readonly retryDelayMs?: number
}

/**
 * The scheduler's `broadcast` job: delivers the broadcast named in its payload and keeps the admin's progress
 * message current (every 2 s while sending, then the final counts). Safe to run again after a crash: delivery
 * resumes from the recipients still pending. A run that fails (the database went away) books another one.
 */
export const makeBroadcastJob =
  (o: BroadcastJobOptions) =>
  async (job: ScheduledJob, signal: AbortSignal): Promise<void> => {
    const id = Number((job.payload as { broadcastId?: unknown } | null)?.broadcastId)
    if (!Number.isSafeInteger(id)) throw new Error(`job ${job.name} has no broadcastId`)
    const showProgress = async (counts: BroadcastCounts) => {
      const b = await findBroadcast(o.db, id)
      if (!b || b.progress_chat_id === null || b.progress_message_id === null) return
      const view = viewOf(b, counts)
      await o
        .edit(
          b.progress_chat_id,
          b.progress_message_id,
          renderBroadcast(view, o.timeZone),
          progressKeyboard(view),
        )
        .catch(() => undefined)
    }
    const nudge = (await findBroadcast(o.db, id))?.audience === NUDGE_AUDIENCE ? o.sendNudge : undefined
    const result = await deliverBroadcast({
      db: o.db,
      send: nudge ? (userId, _html, paced) => nudge(userId, paced) : o.send,
      broadcastId: id,
      signal,
      onProgress: showProgress,
      ...(o.onSettled ? { onSettled: o.onSettled } : {}),
      ...(o.pacer ? { pacer: o.pacer } : {}),
    }).catch(async (error: unknown) => {
      // A one-off job is not retried by the scheduler; a half-sent broadcast must be, so it books its next run.
      if (!signal.aborted)
        await scheduleOneOffJob(o.db, {
          name: job.name,
          kind: job.kind,
          runAt: new Date(Date.now() + (o.retryDelayMs ?? 30_000)),
          payload: job.payload,
        }).catch(() => undefined)
      throw error
    })
    if (result.outcome === "cancelled") await showProgress(result)
    if (result.outcome === "aborted") throw new Error("broadcast delivery aborted by shutdown")
  }
