import type { Update } from "grammy/types"
import type { Role } from "../core/model"
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

/** What decides whether words may be a password: sign-in on, and a password the sender's role already holds. */
export interface PasswordRules {
  readonly config: { readonly authEnabled: boolean }
  readonly isOwnPassword: (text: string, role: Role) => boolean
}

/**
 * Words that may be a password, erased from the chat and from the stored update whatever the answer to them:
 * anything typed or captioned at the password prompt, and, while sign-in is required, anything a sender without a
 * role types (a newcomer's first message is often the password), /start's argument included; from a signed-in
 * sender, their own password (typed, captioned or after /start: never held against them, so it tells nothing).
 * Other commands are never erased; a password reply (`PasswordAttempt`) erases itself.
 */
export const erasure = (ctx: InputCtx, rules: PasswordRules): Erasure | null => {
  if (ctx.source._tag !== "Update") return null
  const m = ctx.source.update.message
  const said = m?.text ?? m?.caption
  if (m?.chat.type !== "private" || said === undefined) return null
  const { input } = ctx
  const start = input._tag === "Command" && input.name === "start" ? input.args.trim() : null
  const words =
    input._tag === "Text" ||
    input._tag === "Unsupported" ||
    input._tag === "Rejected" ||
    input._tag === "Voice" ||
    (start !== null && start !== "")
  if (!words) return null
  const { role } = ctx.actor
  const asked = ctx.session.flow._tag === "AwaitingPassword"
  const anyWords = asked || (rules.config.authEnabled && role === null)
  if (!anyWords && (role === null || !rules.isOwnPassword(start ?? said.trim(), role))) return null
  return { messageId: m.message_id, redacted: redactText(ctx.source.update) }
}
