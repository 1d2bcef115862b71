import { Effect } from "effect"
import { Cmd } from "../../core/commands"
import { checkRate } from "../../core/rate-limit"
import { texts } from "../../nav/texts"
import { Metrics } from "../../services/metrics"
import { Settings } from "../../services/settings"
import { AtReceipt } from "../at-receipt"
import { commit } from "../commit"
import { erasure } from "../password-reply"
import type { Handler, InputCtx, Stage } from "../stage"

/**
 * Minute/hour limits for every sender, by user id (user_limits), before anything else answers: stricter for whoever
 * has no role yet (GUEST_MAX_REQUESTS_*). A blocked message is told once per window in the chat, then hears nothing
 * more in it; a signed-in user's blocked button press always gets a short popup saying when to try again (and does
 * not use up the chat's one notice, so the next typed message still gets it); a guest's press, nothing. An admin
 * keeps the minute's flood limit but not the hour's: a long session of /users pages, stats and broadcasts is their
 * work, and an hour's pause would also hold back «✖️ Отменить» on a broadcast going out.
 */
export const rateLimit: Stage<InputCtx, InputCtx> = (next) => (ctx) => rateLimitStep(next, ctx)

const rateLimitStep = Effect.fnUntraced(function* (next: Handler<InputCtx>, ctx: InputCtx) {
  if (ctx.input._tag === "Feedback") return yield* next(ctx)
  const settings = yield* Settings
  const guest = settings.config.authEnabled && ctx.actor.role === null
  const press = ctx.input._tag === "Callback"
  const guestLimits = guest ? settings.guestRateLimits : undefined
  const limits = ctx.actor.role === "admin" ? settings.adminRateLimits : settings.rateLimits
  const [rate, verdict] = checkRate(ctx.session.rate, ctx.now, limits, press, guestLimits)
  const session = { ...ctx.session, rate }
  if (verdict._tag === "Allowed") return yield* next({ ...ctx, session })
  // At receipt, no step: a block is counted and told, the ordinary path's.
  if (yield* AtReceipt) return
  ;(yield* Metrics).rateLimitBlocks.inc({ limit_type: verdict.window })
  const text = texts.rateLimited(verdict.window, verdict.waitMin)
  const { input } = ctx
  const cmds =
    input._tag === "Callback"
      ? // Someone without a role flooding (forged) presses hears nothing: no Telegram call per press.
        guest
        ? []
        : [Cmd.answer(input.queryId, texts.rateLimitedPress(verdict.waitMin), true)]
      : verdict.notify
        ? [Cmd.reply(text)]
        : []
  // Words that may be a password are still erased, from the chat and from the stored update. Why they vanished is
  // told with the window's one notice: a flood at the password prompt costs a deletion per message, not a reply too.
  const erase = erasure(ctx, settings)
  if (!erase) return yield* commit(ctx, session, cmds)
  yield* commit(ctx, session, [Cmd.delete(erase.messageId), ...cmds], erase.redacted)
})
