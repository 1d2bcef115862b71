import { Effect } from "effect"
import type { InlineKeyboardMarkup } from "grammy/types"
import type { Cmd } from "../core/commands"
import { Log } from "../services/log"
import { renderKeyboard } from "../services/reply-markup"
import { Telegram, type TelegramError } from "../services/telegram"
import type { Handlers } from "./command-handler"

/** 400 and 403 are Telegram's final answers (bad request, bot blocked): retrying cannot help, so we move on. */
const isFinal = (e: TelegramError) => e.code === 400 || e.code === 403

export const tolerate = <A>(cmd: Cmd["_tag"], effect: Effect.Effect<A, TelegramError, Telegram | Log>) =>
  effect.pipe(
    Effect.asVoid,
    Effect.catchIf(isFinal, (e) =>
      Effect.flatMap(Log, (log) =>
        log.warn("telegram refused a command", {
          cmd,
          method: e.method,
          code: e.code ?? 0,
          reason: e.description,
        }),
      ),
    ),
  )

/** Runs a Telegram call of the chat; a final refusal is logged and passed over. Nothing comes back. */
const say = Effect.fnUntraced(function* (
  cmd: Cmd["_tag"],
  call: (tg: Telegram["Service"]) => Effect.Effect<unknown, TelegramError>,
) {
  yield* tolerate(cmd, call(yield* Telegram))
  return null
})

/** What every feature says in the chat: messages, edits, button answers, deletions and the typing chat action. */
export const chatHandlers: Handlers<"Reply" | "Edit" | "AnswerCallback" | "DeleteMessage" | "ChatAction"> = {
  Reply: (cmd, { chatId }) =>
    say(cmd._tag, (tg) => tg.send(chatId, cmd.html, cmd.keyboard && renderKeyboard(cmd.keyboard))),
  Edit: (cmd, { chatId }) =>
    say(cmd._tag, (tg) => {
      const markup = cmd.keyboard && (renderKeyboard(cmd.keyboard) as InlineKeyboardMarkup)
      return tg.editOrSend(chatId, cmd.messageId, cmd.html, markup)
    }),
  AnswerCallback: (cmd) => say(cmd._tag, (tg) => tg.answerCallback(cmd.queryId, cmd.text, cmd.alert)),
  DeleteMessage: (cmd, { chatId }) => say(cmd._tag, (tg) => tg.deleteMessage(chatId, cmd.messageId)),
  // Only a chat action: whatever Telegram says, nothing is retried for it.
  ChatAction: (_cmd, { chatId }) =>
    Effect.flatMap(Telegram, (tg) => tg.chatAction(chatId, "typing").pipe(Effect.ignore, Effect.as(null))),
}
