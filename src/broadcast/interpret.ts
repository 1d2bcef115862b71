import { Effect } from "effect"
import type { InlineKeyboardMarkup } from "grammy/types"
import type { Cmd } from "../core/commands"
import type { Feedback } from "../core/model"
import type { Handlers } from "../pipeline/command-handler"
import { cancelJob, findJob, scheduleOneOffJob } from "../scheduler/jobs.repo"
import { JOB_KINDS } from "../scheduler/kinds"
import { Db } from "../services/db"
import { renderKeyboard } from "../services/reply-markup"
import { Settings } from "../services/settings"
import { Telegram } from "../services/telegram"
import {
  cancelBroadcast,
  countAudiences,
  createBroadcast,
  findBroadcast,
  listBroadcasts,
  setProgressMessage,
  viewOf,
} from "./broadcasts.repo"
import { broadcastJobName } from "./job"
import { countsOf } from "./recipients.repo"
import { progressKeyboard, renderBroadcast } from "./render"
import { broadcastTexts } from "./texts"

const markupOf = (keyboard: ReturnType<typeof progressKeyboard>) =>
  keyboard && (renderKeyboard(keyboard) as InlineKeyboardMarkup)

/**
 * Creates the broadcast, posts its progress message and schedules its delivery job. Each step checks what an
 * earlier try of this same command already did, so a retried row neither duplicates the broadcast nor its message.
 */
const create = (chatId: number, userId: number, cmd: Extract<Cmd, { _tag: "CreateBroadcast" }>) =>
  Effect.gen(function* () {
    const db = yield* Db
    const tg = yield* Telegram
    const zone = (yield* Settings).config.env.APSCHEDULER_TIMEZONE
    const { broadcast, recipients } = yield* db.use("createBroadcast", (k) =>
      createBroadcast(k, {
        createdBy: userId,
        html: cmd.html,
        audience: cmd.audience,
        ...(cmd.sendAt === null ? {} : { sendAt: new Date(cmd.sendAt) }),
        progressChatId: chatId,
        requestKey: cmd.requestKey,
      }),
    )
    if (broadcast.progress_message_id === null) {
      // Its delivery job is scheduled only after this message exists, so nobody has been sent anything yet.
      const counts = { total: recipients, pending: recipients, sent: 0, failed: 0, blocked: 0 }
      // «Now» starts within a scheduler tick: shown as under way rather than «scheduled for» this minute.
      const stored = viewOf(broadcast, counts)
      const view = cmd.sendAt === null ? { ...stored, status: "sending" as const } : stored
      const messageId = yield* tg.send(chatId, renderBroadcast(view, zone), markupOf(progressKeyboard(view)))
      yield* db.use("setProgressMessage", (k) => setProgressMessage(k, broadcast.id, chatId, messageId))
    }
    const name = broadcastJobName(broadcast.id)
    if (!(yield* db.use("findJob", (k) => findJob(k, name))))
      yield* db.use("scheduleBroadcast", (k) =>
        scheduleOneOffJob(k, {
          name,
          kind: JOB_KINDS.broadcast,
          runAt: new Date(broadcast.send_at),
          payload: { broadcastId: broadcast.id },
        }),
      )
  })

/** Stops a broadcast; a scheduled one never starts, a running one stops within its next progress tick. */
const stop = (id: number, listMessageId: number | null) =>
  Effect.gen(function* () {
    const db = yield* Db
    const tg = yield* Telegram
    const zone = (yield* Settings).config.env.APSCHEDULER_TIMEZONE
    const stopped = yield* db.use("cancelBroadcast", (k) => cancelBroadcast(k, id))
    if (stopped) yield* db.use("cancelJob", (k) => cancelJob(k, broadcastJobName(id)))
    const b = yield* db.use("findBroadcast", (k) => findBroadcast(k, id))
    if (stopped && b?.progress_chat_id && b.progress_message_id) {
      const view = viewOf(b, yield* db.use("broadcastCounts", (k) => countsOf(k, id)))
      // Only a view of the state: a failed edit changes nothing.
      yield* Effect.ignore(
        tg.editOrSend(b.progress_chat_id, b.progress_message_id, renderBroadcast(view, zone)),
      )
    }
    return { _tag: "BroadcastStopped", id, stopped, listMessageId } satisfies Feedback as Feedback
  })

/** Broadcast commands: audiences counted, broadcasts created, listed and stopped. */
export const broadcastHandlers: Handlers<
  "CountAudiences" | "CreateBroadcast" | "LoadBroadcasts" | "StopBroadcast"
> = {
  // The progress line first, so the admin sees something at once; it becomes the audience question (reducer).
  CountAudiences: (_, { chatId }) =>
    Effect.gen(function* () {
      const messageId = yield* (yield* Telegram).send(chatId, broadcastTexts.counting)
      const counts = yield* (yield* Db).use("countAudiences", countAudiences)
      return { _tag: "AudiencesCounted", counts, messageId } satisfies Feedback as Feedback
    }),
  CreateBroadcast: (cmd, { chatId, origin }) => Effect.as(create(chatId, origin.userId, cmd), null),
  LoadBroadcasts: (cmd) =>
    Effect.gen(function* () {
      const rows = yield* (yield* Db).use("listBroadcasts", (k) => listBroadcasts(k, 10))
      const broadcasts = rows.map((b) => viewOf(b, b.counts))
      return { _tag: "BroadcastsLoaded", messageId: cmd.messageId, broadcasts } satisfies Feedback as Feedback
    }),
  StopBroadcast: (cmd) => stop(cmd.id, cmd.listMessageId),
}
