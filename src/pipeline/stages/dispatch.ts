import { Effect } from "effect"
import { reduce } from "../../app/reducer"
import { Cmd } from "../../core/commands"
import { Settings } from "../../services/settings"
import { commit } from "../commit"
import type { Handler, InputCtx } from "../stage"

/** The one loop: reduce (pure) → persist with a version check → interpret the commands. */
export const dispatch: Handler<InputCtx> = Effect.fnUntraced(function* (ctx: InputCtx) {
  const { config } = yield* Settings
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
  // Words that may be a password (validate.ts): whatever the answer, they are erased first.
  const erased = ctx.eraseMessage === undefined ? cmds : [Cmd.delete(ctx.eraseMessage), ...cmds]
  yield* commit(ctx, next, erased, ctx.redactedPayload)
})
