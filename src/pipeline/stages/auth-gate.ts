import { Effect } from "effect"
import { refuseWithoutRole } from "../../auth/gate"
import { Settings } from "../../services/settings"
import { commit } from "../commit"
import type { Handler, InputCtx, Stage } from "../stage"

/** Enforces the role on every update: without one, only /start, /help and the password reply get through. */
export const authGate: Stage<InputCtx, InputCtx> = (next) => (ctx) => authGateStep(next, ctx)

const authGateStep = Effect.fnUntraced(function* (next: Handler<InputCtx>, ctx: InputCtx) {
  const { config } = yield* Settings
  const refusal = refuseWithoutRole(ctx.session, {
    input: ctx.input,
    actor: ctx.actor,
    now: ctx.now,
    authEnabled: config.authEnabled,
  })
  if (refusal) return yield* commit(ctx, ctx.session, refusal)
  yield* next(ctx)
})
