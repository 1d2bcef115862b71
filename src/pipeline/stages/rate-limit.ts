import { Effect } from "effect"
import { Cmd } from "../../app/commands"
import { checkRate } from "../../app/rate-limit"
import { texts } from "../../app/texts"
import { Metrics } from "../../services/metrics"
import { Settings } from "../../services/settings"
import { commit } from "../commit"
import type { InputCtx, Stage } from "../stage"

/** Per-user minute/hour limits. A blocked user is told once per window; a pressed button is always answered. */
export const rateLimit: Stage<InputCtx, InputCtx> = (next) => (ctx) =>
  Effect.gen(function* () {
    if (ctx.input._tag === "Feedback") return yield* next(ctx)
    const { rateLimits } = yield* Settings
    const [rate, verdict] = checkRate(ctx.session.rate, ctx.now, rateLimits)
    const session = { ...ctx.session, rate }
    if (verdict._tag === "Allowed") return yield* next({ ...ctx, session })
    ;(yield* Metrics).rateLimitBlocks.inc({ limit_type: verdict.window })
    const text = texts.rateLimited(verdict.window, verdict.waitMin)
    const cmds =
      ctx.input._tag === "Callback"
        ? [Cmd.answer(ctx.input.queryId, verdict.notify ? text : undefined, verdict.notify)]
        : verdict.notify
          ? [Cmd.reply(text)]
          : []
    yield* commit(ctx, session, cmds)
  })
