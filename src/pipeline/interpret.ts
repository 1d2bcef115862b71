import { Effect } from "effect"
import type { InlineKeyboardMarkup } from "grammy/types"
import { deleteRole, upsertRole } from "../auth/roles.repo"
import type { Cmd } from "../core/commands"
import type { Feedback } from "../core/model"
import { botCommands } from "../nav/command-menu"
import { summarizeAttempts } from "../nav/results"
import { findAttempts } from "../repositories/cases.repo"
import { Db, pingDatabase } from "../services/db"
import { Log } from "../services/log"
import { renderKeyboard } from "../services/reply-markup"
import { Telegram, type TelegramError } from "../services/telegram"
import { insertComment, upsertRating } from "../survey/ratings.repo"
import type { Origin } from "./decode"
import { interpretAdmin } from "./interpret-admin"
import { speakDetached } from "./interpret-ai"
import { interpretBroadcast } from "./interpret-broadcast"
import { interpretCase } from "./interpret-case"
import type { WorkCmd } from "./work"

/** 400 and 403 are Telegram's final answers (bad request, bot blocked): retrying cannot help, so we move on. */
const isFinal = (e: TelegramError) => e.code === 400 || e.code === 403

const tolerate = <A>(cmd: Cmd["_tag"], effect: Effect.Effect<A, TelegramError, Telegram | Log>) =>
  effect.pipe(
    Effect.asVoid,
    Effect.catchIf(isFinal, (e) =>
      Effect.gen(function* () {
        const log = yield* Log
        yield* log.warn("telegram refused a command", {
          cmd,
          method: e.method,
          code: e.code ?? 0,
          reason: e.description,
        })
      }),
    ),
  )

/**
 * Runs one command against Telegram or the database (work that outlives a statement goes through work.ts instead). Returns a feedback event for the reducer when the command
 * has a result the reducer needs; network/5xx failures propagate so the row is retried from this command.
 */
export const interpret = (chatId: number, origin: Origin, cmd: Exclude<Cmd, WorkCmd>) =>
  Effect.gen(function* () {
    const tg = yield* Telegram
    switch (cmd._tag) {
      case "LoadAdminStats":
      case "SendStatsChart":
      case "LoadUsers":
      case "ChangeRole":
      case "ForgetMe":
        return yield* interpretAdmin(chatId, origin, cmd)
      case "CountAudiences":
      case "CreateBroadcast":
      case "LoadBroadcasts":
      case "StopBroadcast":
        return yield* interpretBroadcast(chatId, origin.userId, cmd)
      case "Speak":
        yield* speakDetached(chatId, origin.userId, cmd)
        return null
      case "ChatAction":
      case "RecordStat":
      case "SaveAttempt":
      case "SendGuide":
      case "InviteToSurvey":
        yield* interpretCase(chatId, origin, cmd)
        return null
      case "SaveRating": {
        const db = yield* Db
        yield* db.use("saveRating", (k) => upsertRating(k, origin.userId, cmd.question, cmd.rating))
        return null
      }
      case "LoadResults": {
        const db = yield* Db
        const rows = yield* db.use("findAttempts", (k) => findAttempts(k, origin.userId))
        return {
          _tag: "ResultsLoaded",
          messageId: cmd.messageId,
          results: summarizeAttempts(rows),
        } as Feedback
      }
      case "SaveComment": {
        const db = yield* Db
        yield* db.use("saveComment", (k) => insertComment(k, origin.userId, cmd.text))
        return null
      }
      case "Reply":
        yield* tolerate(cmd._tag, tg.send(chatId, cmd.html, cmd.keyboard && renderKeyboard(cmd.keyboard)))
        return null
      case "Edit": {
        const markup = cmd.keyboard && (renderKeyboard(cmd.keyboard) as InlineKeyboardMarkup)
        yield* tolerate(cmd._tag, tg.editOrSend(chatId, cmd.messageId, cmd.html, markup))
        return null
      }
      case "AnswerCallback":
        yield* tolerate(cmd._tag, tg.answerCallback(cmd.queryId, cmd.text, cmd.alert))
        return null
      case "DeleteMessage":
        yield* tolerate(cmd._tag, tg.deleteMessage(chatId, cmd.messageId))
        return null
      case "SetRole": {
        const db = yield* Db
        const role = cmd.role
        yield* role
          ? db.use("setRole", (k) => upsertRole(k, { ...cmd, role }))
          : db.use("deleteRole", (k) => deleteRole(k, cmd.userId))
        const menu = role === "admin" ? botCommands(true) : null
        yield* tolerate(cmd._tag, tg.setChatCommands(chatId, menu))
        return null
      }
      case "PingDb": {
        const db = yield* Db
        const started = performance.now()
        const ok = yield* db.use("dbping", pingDatabase).pipe(
          Effect.timeout("5 seconds"),
          Effect.as(true),
          Effect.catch(() => Effect.succeed(false)),
        )
        return {
          _tag: "DbPinged",
          ok,
          ms: Math.round(performance.now() - started),
        } satisfies Feedback as Feedback
      }
    }
  })
