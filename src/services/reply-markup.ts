import type { ForceReply, InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove } from "grammy/types"
import type { Keyboard } from "../core/commands"

export type ReplyMarkup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | ForceReply

/** Keyboard spec → Bot API reply_markup. Pure. */
export const renderKeyboard = (k: Keyboard): ReplyMarkup => {
  switch (k._tag) {
    case "Inline":
      return {
        inline_keyboard: k.rows.map((row) => row.map((b) => ({ text: b.text, callback_data: b.data }))),
      }
    case "Reply":
      return {
        keyboard: k.rows.map((row) => row.map((text) => ({ text }))),
        resize_keyboard: true,
        is_persistent: true,
        ...(k.placeholder ? { input_field_placeholder: k.placeholder } : {}),
      }
    case "RemoveReply":
      return { remove_keyboard: true }
  }
}
