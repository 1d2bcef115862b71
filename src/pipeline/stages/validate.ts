import { Effect } from "effect"
import { lockoutMinutesLeft, MAX_PASSWORD_FAILURES } from "../../auth/reducer"
import { authTexts } from "../../auth/texts"
import { Cmd } from "../../core/commands"
import { applyTextLimits, applyVoiceLimits } from "../../core/limits"
import type { Role } from "../../core/model"
import { Log } from "../../services/log"
import { Metrics } from "../../services/metrics"
import { LOGIN_FAILURE_BURST, Settings } from "../../services/settings"
import { AtReceipt } from "../at-receipt"
import { commit } from "../commit"
import { erasure, redactText } from "../password-reply"
import type { Handler, InputCtx, Stage } from "../stage"

/** Counts a wrong password, and warns once per minute when they pile up across users (ids and counts only). */
const noteWrongPassword = Effect.fnUntraced(function* (ctx: InputCtx) {
  const { noteLoginFailure } = yield* Settings
  const metrics = yield* Metrics
  metrics.authFailures.inc({ kind: "wrong_password" })
  if (ctx.session.auth.failures + 1 >= MAX_PASSWORD_FAILURES) metrics.authFailures.inc({ kind: "lockout" })
  const burst = noteLoginFailure(ctx.now, ctx.actor.userId)
  if (burst)
    yield* (yield* Log).warn("many wrong passwords: someone may be guessing", {
      failures: burst.events,
      users: burst.keys,
      windowSec: LOGIN_FAILURE_BURST.windowMs / 1000,
      userId: ctx.actor.userId,
    })
})

/**
 * Which role a password reply grants. A revoked or locked-out sender's password is not checked at all: it costs no
 * argon2 work, and the answer cannot tell whether it was right.
 */
const verify = Effect.fnUntraced(function* (ctx: InputCtx, text: string) {
  const settings = yield* Settings
  const metrics = yield* Metrics
  // An admin revoked the sender's sign-in (`/setrole … none`): the password is not even checked.
  if (ctx.loaded.limits.revoked) {
    metrics.authFailures.inc({ kind: "revoked" })
    return { role: null, revoked: true }
  }
  if (lockoutMinutesLeft(ctx.session.auth, ctx.now) !== null) {
    metrics.authFailures.inc({ kind: "locked" })
    return { role: null }
  }
  const role: Role | null = yield* Effect.promise(() => settings.checkPassword(text))
  if (!role) yield* noteWrongPassword(ctx)
  return { role }
})

/**
 * Text limits, and the password reply: verified here so the plaintext never reaches the reducer, the session or a
 * log, and scrubbed from the stored update once read; other words that may be a password are marked for erasure
 * (password-reply.ts), decided once for the stages after.
 */
export const validate: Stage<InputCtx, InputCtx> = (next) => (ctx) => validateStep(next, ctx)

const validateStep = Effect.fnUntraced(function* (next: Handler<InputCtx>, ctx: InputCtx) {
  const settings = yield* Settings
  const metrics = yield* Metrics
  const input = applyVoiceLimits(applyTextLimits(ctx.input, settings.textLimits), settings.voiceLimits)
  const password = input._tag === "Text" && ctx.session.flow._tag === "AwaitingPassword"
  // At receipt, neither a rejection (counted) nor a password (checked, counted, scrubbed): the ordinary path's.
  if ((input._tag === "Rejected" || password) && (yield* AtReceipt)) return
  if (input._tag === "Rejected") metrics.validationRejections.inc({ reason: input.reason })
  if (password && ctx.source._tag === "Update") {
    const verdict = yield* verify(ctx, input.text)
    return yield* next({
      ...ctx,
      input: { _tag: "PasswordAttempt", ...verdict, messageId: input.messageId },
      redactedPayload: redactText(ctx.source.update),
    })
  }
  // Other words that may be a password (decided here, once). A typed text that still is one can only be a signed-in
  // sender's own password (a guest's was refused by the gate): erased, never a line or a prompt. Anything else
  // is reduced as ever, and erased with its step (dispatch).
  const erase = erasure({ ...ctx, input }, settings)
  if (!erase) return yield* next({ ...ctx, input })
  if (input._tag !== "Text")
    return yield* next({ ...ctx, input, eraseMessage: erase.messageId, redactedPayload: erase.redacted })
  if (yield* AtReceipt) return
  const cmds = [Cmd.delete(erase.messageId), Cmd.reply(authTexts.passwordErased)]
  return yield* commit(ctx, ctx.session, cmds, erase.redacted)
})
