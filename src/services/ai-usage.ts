import { Effect } from "effect"
import type { Kysely } from "kysely"
import type { Database } from "../../db/schema"
import { recordAiCall, type UsageRecord } from "../repositories/ai.repo"
import { takeAiCall } from "./ai-budget"
import type { LlmError } from "./llm"
import { describeError, type LogShape } from "./log"
import type { MetricsShape } from "./metrics"

export interface UsageRecorder {
  /**
   * Counts one upstream AI call, whatever its outcome: metrics at once; its usage row and one more call in the
   * user's daily budget (user_limits) written in the background, one after another (a chain's attempts keep their
   * order), beside the answer rather than before it: the next budget check comes with the learner's next line.
   */
  readonly record: (usage: UsageRecord) => void
  /** Settles once every call recorded so far is written (idle checks, shutdown); never rejects. */
  readonly written: () => Promise<void>
}

/**
 * `db` may commit lazily (see DbShape.useLazyCommit): a row lost in a PostgreSQL crash is one call neither billed
 * nor counted towards the daily budget, and it keeps a flush wait off every AI answer's way back.
 */
export const makeUsageRecorder = (
  db: Kysely<Database>,
  timeZone: string,
  metrics: MetricsShape,
  log: LogShape,
): UsageRecorder => {
  let writes = Promise.resolve()
  return {
    record: (usage) => {
      const { provider, model, channel, outcome } = usage
      metrics.aiCalls.inc({ provider, model, channel, outcome })
      metrics.aiLatency.observe({ provider, channel }, usage.latencyMs / 1000)
      metrics.aiTokens.inc({ provider, direction: "input" }, usage.inputTokens)
      metrics.aiTokens.inc({ provider, direction: "output" }, usage.outputTokens)
      writes = writes
        .then(() => recordAiCall(db, usage, timeZone))
        .then(
          () => {},
          (e) => Effect.runSync(log.warn("usage not recorded", describeError(e))),
        )
    },
    written: () => writes,
  }
}

export type CallOf = Pick<UsageRecord, "userId" | "caseId" | "channel" | "provider" | "model">

/**
 * One upstream call without tokens to report (transcription, speech), recorded when it ends, however it ends; not
 * made at all past the work's allowance (ai-budget.ts).
 */
export const metered = <A>(recorder: UsageRecorder, call: CallOf, effect: Effect.Effect<A, LlmError>) =>
  Effect.andThen(
    takeAiCall,
    Effect.suspend(() => {
      const started = performance.now()
      const done = (outcome: string, errorClass: string | null) =>
        Effect.sync(() =>
          recorder.record({
            ...call,
            inputTokens: 0,
            outputTokens: 0,
            latencyMs: performance.now() - started,
            outcome,
            errorClass,
          }),
        )
      return effect.pipe(
        Effect.tap(() => done("ok", null)),
        Effect.tapError((e) => done(e.reason, e.detail.slice(0, 200))),
      )
    }),
  )
