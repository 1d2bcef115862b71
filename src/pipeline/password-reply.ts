import type { Update } from "grammy/types"
import type { InputCtx } from "./stage"

/** The stored update with the words that may be a password (its text or caption) replaced. */
export const redactText = (update: Update): Update => {
  if (!update.message) return update
  // Formatting offsets would point into words no longer there.
  const { entities: _entities, caption_entities: _captionEntities, ...m } = update.message
  return {
    ...update,
    message: {
      ...m,
      ...(m.text === undefined ? {} : { text: "[password]" }),
      ...(m.caption === undefined ? {} : { caption: "[password]" }),
    },
  } as Update
}

/** A message to erase from the chat, and the update to store in its place. */
export interface Erasure {
  readonly messageId: number
  readonly redacted: Update
}

/**
 * Words that may be a password, erased from the chat and from the stored update whatever the answer to them:
 * anything typed or captioned at the password prompt, and, while sign-in is required, anything a sender without a
 * role types (a newcomer's first message is often the password), /start's argument included. Commands other than
 * /start with an argument are never erased; a password reply (`PasswordAttempt`) erases itself.
 */
export const erasure = (ctx: InputCtx, authEnabled: boolean): Erasure | null => {
  if (ctx.source._tag !== "Update") return null
  const m = ctx.source.update.message
  if (m?.chat.type !== "private" || (m.text ?? m.caption) === undefined) return null
  const asked = ctx.session.flow._tag === "AwaitingPassword"
  if (!asked && !(authEnabled && ctx.actor.role === null)) return null
  const { input } = ctx
  const words =
    input._tag === "Text" ||
    input._tag === "Unsupported" ||
    input._tag === "Rejected" ||
    input._tag === "Voice" ||
    (input._tag === "Command" && input.name === "start" && input.args.trim() !== "")
  return words ? { messageId: m.message_id, redacted: redactText(ctx.source.update) } : null
}
