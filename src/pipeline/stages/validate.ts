import { Effect } from "effect"
import type { Update } from "grammy/types"
import { Metrics } from "../../services/metrics"
import { Settings } from "../../services/settings"
import { applyTextLimits, applyVoiceLimits } from "../decode"
import type { InputCtx, Stage } from "../stage"

const redactText = (update: Update): Update =>
  update.message ? { ...update, message: { ...update.message, text: "[password]" } } : update

/**
 * Text limits, and the password reply: verified here so the plaintext never reaches the reducer, the session or a
 * log, and scrubbed from the stored update once read.
 */
export const validate: Stage<InputCtx, InputCtx> = (next) => (ctx) =>
  Effect.gen(function* () {
    const settings = yield* Settings
    const metrics = yield* Metrics
    const input = applyVoiceLimits(applyTextLimits(ctx.input, settings.textLimits), settings.voiceLimits)
    if (input._tag === "Rejected") metrics.validationRejections.inc({ reason: input.reason })
    if (input._tag !== "Text" || ctx.session.flow._tag !== "AwaitingPassword" || ctx.source._tag !== "Update")
      return yield* next({ ...ctx, input })
    const text = input.text
    const role = yield* Effect.promise(() => settings.checkPassword(text))
    if (!role) metrics.authFailures.inc({ kind: "wrong_password" })
    yield* next({
      ...ctx,
      input: { _tag: "PasswordAttempt", role, messageId: input.messageId },
      redactedPayload: redactText(ctx.source.update),
    })
  })
