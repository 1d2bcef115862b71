import type { Update } from "grammy/types"
import type { InputCtx } from "./stage"

/** A text sent while the bot asks for the password: it is the password, whatever happens to it next. */
export const passwordReply = (
  ctx: InputCtx,
): { readonly update: Update; readonly messageId: number } | null =>
  ctx.input._tag === "Text" && ctx.session.flow._tag === "AwaitingPassword" && ctx.source._tag === "Update"
    ? { update: ctx.source.update, messageId: ctx.input.messageId }
    : null

/** The stored update with the password's text replaced. */
export const redactText = (update: Update): Update =>
  update.message ? { ...update, message: { ...update.message, text: "[password]" } } : update
