import { Context, Effect } from "effect"
import { aiCallsToday } from "../repositories/ai.repo"
import { Db } from "./db"
import { LlmError } from "./llm"
import { Settings } from "./settings"

/**
 * The AI calls a piece of work may still make today. Every upstream attempt takes one (the gateway's chain, the
 * transcription chain, speech); with none left the attempt is refused unmade: the daily cap holds even when a
 * fallback along a chain needs more calls than the work's group was counted at.
 */
export interface AiAllowance {
  left: number
}

export const AiAllowance = Context.Reference<AiAllowance | undefined>("emco/AiAllowance", {
  defaultValue: () => undefined,
})

const overBudget = new LlmError({ reason: "daily_limit", provider: "none", detail: "daily AI budget spent" })

/** Takes one call from the work's allowance (work without one, like `bun run eval`, is not capped). */
export const takeAiCall: Effect.Effect<void, LlmError> = Effect.flatMap(AiAllowance, (allowance) => {
  if (allowance === undefined) return Effect.void
  if (allowance.left <= 0) return Effect.fail(overBudget)
  allowance.left -= 1
  return Effect.void
})

/**
 * Calls the user has left today (AI_DAILY_TURNS_PER_USER upstream calls since the local midnight in
 * APSCHEDULER_TIMEZONE, counted by user id in user_limits, which /forget_me keeps).
 */
const aiCallsLeft = Effect.fnUntraced(function* (userId: number, callsToday: number | undefined) {
  const { config } = yield* Settings
  const calls =
    callsToday ??
    (yield* (yield* Db).use("aiCallsToday", (k) => aiCallsToday(k, userId, config.env.APSCHEDULER_TIMEZONE)))
  return Math.max(0, config.env.AI_DAILY_TURNS_PER_USER - calls)
})

/**
 * The one daily-budget check: `work` starts only when the user has the `needed` calls its group makes left today
 * (a line's persona and judge together, every sample of a review), and runs with what is left as its allowance;
 * otherwise the answer is `over`. `callsToday`, when the caller has just read it (the statement that started the
 * work), spares the read.
 */
export const withinAiBudget = <A, E, R>(
  userId: number,
  needed: number,
  work: Effect.Effect<A, E, R>,
  over: A,
  callsToday?: number,
) =>
  Effect.flatMap(aiCallsLeft(userId, callsToday), (left) =>
    left < needed ? Effect.succeed(over) : Effect.provideService(work, AiAllowance, { left }),
  )
