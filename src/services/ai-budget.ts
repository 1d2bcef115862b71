import { Effect } from "effect"
import { aiCallsToday } from "../repositories/ai.repo"
import { Db } from "./db"
import { Settings } from "./settings"

/**
 * Whether the user has used up today's AI budget (AI_DAILY_TURNS_PER_USER upstream calls since the local midnight in
 * APSCHEDULER_TIMEZONE, counted by user id in user_limits, which /forget_me keeps). Checked before any AI work starts.
 */
const isOverAiBudget = Effect.fnUntraced(function* (userId: number, callsToday: number | undefined) {
  const { config } = yield* Settings
  const calls =
    callsToday ??
    (yield* (yield* Db).use("aiCallsToday", (k) => aiCallsToday(k, userId, config.env.APSCHEDULER_TIMEZONE)))
  return calls >= config.env.AI_DAILY_TURNS_PER_USER
})

/**
 * The one daily-budget check: `work` starts only within the user's budget; over it, the answer is `over`.
 * `callsToday`, when the caller has just read it (the statement that started the work), spares the read.
 */
export const withinAiBudget = <A, E, R>(
  userId: number,
  work: Effect.Effect<A, E, R>,
  over: A,
  callsToday?: number,
) => Effect.flatMap(isOverAiBudget(userId, callsToday), (isOver) => (isOver ? Effect.succeed(over) : work))
