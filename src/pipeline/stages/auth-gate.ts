import { Effect } from "effect"
import { refuseWithoutRole } from "../../auth/gate"
import { authTexts } from "../../auth/texts"
import { Cmd } from "../../core/commands"
import { Settings } from "../../services/settings"
import { commit } from "../commit"
import { erasure } from "../password-reply"
import type { Handler, InputCtx, Stage } from "../stage"

/** Enforces the role on every update: without one, only /start, /help and the password reply get through. */
export const authGate: Stage<InputCtx, InputCtx> = (next) => (ctx) => authGateStep(next, ctx)

const authGateStep = Effect.fnUntraced(function* (next: Handler<InputCtx>, ctx: InputCtx) {
  const settings = yield* Settings
  const { config } = settings
  const { revoked } = ctx.loaded.limits
  const refusal = refuseWithoutRole(
    ctx.session,
    { input: ctx.input, actor: ctx.actor, now: ctx.now, authEnabled: config.authEnabled },
    revoked,
  )
  if (!refusal) return yield* next(ctx)
  // What a sender without a role types may be the password, sent before /start: erased, and said so.
  const erase = erasure(ctx, settings)
  if (!erase) return yield* commit(ctx, ctx.session, refusal)
  yield* commit(
    ctx,
    ctx.session,
    [
      Cmd.delete(erase.messageId),
      Cmd.reply(revoked ? authTexts.accessClosedErased : authTexts.needLoginErased),
    ],
    erase.redacted,
  )
})
