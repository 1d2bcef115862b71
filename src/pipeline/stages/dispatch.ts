import { Effect } from "effect"
import { reduce } from "../../app/reducer"
import { Cmd } from "../../core/commands"
import { Settings } from "../../services/settings"
import { commit } from "../commit"
import { erasure } from "../password-reply"
import type { Handler, InputCtx } from "../stage"

/** The one loop: reduce (pure) → persist with a version check → interpret the commands. */
export const dispatch: Handler<InputCtx> = Effect.fnUntraced(function* (ctx: InputCtx) {
  const settings = yield* Settings
  const { config } = settings
  const [next, cmds] = reduce(ctx.session, {
    input: ctx.input,
    actor: ctx.actor,
    now: ctx.now,
    authEnabled: config.authEnabled,
    voiceReplies: config.env.VOICE_REPLIES,
    timeZone: config.env.APSCHEDULER_TIMEZONE,
    dialogueRetentionDays: config.env.DIALOGUE_RETENTION_DAYS,
    ...(config.env.NUDGE_SCHEDULE ? { nudgeSchedule: config.env.NUDGE_SCHEDULE } : {}),
    ...(config.env.SUPPORT_CONTACT ? { supportContact: config.env.SUPPORT_CONTACT } : {}),
  })
  // At the password prompt a caption or an over-long text, and /start's argument before sign-in: whatever the
  // answer, the words are erased first.
  const erase = erasure(ctx, settings)
  if (!erase) return yield* commit(ctx, next, cmds, ctx.redactedPayload)
  yield* commit(ctx, next, [Cmd.delete(erase.messageId), ...cmds], erase.redacted)
})
