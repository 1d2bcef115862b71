import { Effect } from "effect"
import { Settings } from "../../services/settings"
import { commit } from "../commit"
import { decodeUpdate } from "../decode"
import type { Handler, InputCtx, LoadedCtx, Stage } from "../stage"

/** Turns the stored update (or feedback event) into an Input; updates we do not answer are closed here. */
export const decodeInput: Stage<LoadedCtx, InputCtx> = (next) => (ctx) => decodeInputStep(next, ctx)

const decodeInputStep = Effect.fnUntraced(function* (next: Handler<InputCtx>, ctx: LoadedCtx) {
  const { botUsername } = yield* Settings
  const input =
    ctx.source._tag === "Event"
      ? ({ _tag: "Feedback", event: ctx.source.feedback } as const)
      : decodeUpdate(ctx.source.update, botUsername)
  if (input === null) return yield* commit(ctx, ctx.session, [])
  yield* next({ ...ctx, input })
})
