import { Context, type Effect } from "effect"
import type { Feedback } from "../core/model"
import type { Charts } from "../services/charts"
import type { AppClock } from "../services/clock"
import type { Db } from "../services/db"
import type { ErrorReporter } from "../services/error-reporter"
import type { Exporter } from "../services/exporter"
import type { Llm } from "../services/llm"
import type { Log } from "../services/log"
import type { Metrics } from "../services/metrics"
import type { Settings } from "../services/settings"
import type { Telegram } from "../services/telegram"
import type { Speech, Transcriber } from "../services/voice"
import type { Origin } from "./decode"

/** The services the pipeline runs with. The work runner is one of them, and runs work that needs all of them. */
export type Deps =
  | Db
  | Telegram
  | Log
  | Metrics
  | AppClock
  | Settings
  | ErrorReporter
  | Llm
  | Transcriber
  | Speech
  | Charts
  | Exporter
  | WorkRunner

/**
 * Set by a chat's worker around each row: a step that queues a row for its own chat (a command's feedback event,
 * stored with the command's mark) calls it, and the worker reads that row next instead of leaving it to be found
 * when the chat's lease goes back (parked-leases.ts). Outside a worker there is nobody to tell.
 */
export const RowQueued = Context.Reference<() => void>("emco/RowQueued", { defaultValue: () => () => {} })

/** How long stored work stays its owner's without a renewal; the owner renews it every third of that. */
export const WORK_LEASE_TTL_MS = 10_000

/** A stored piece of work (a `background_work` row) and whom its result is for. */
export interface WorkRef {
  readonly id: number
  readonly chatId: number
  readonly origin: Origin
}

/**
 * Long-running commands (AI calls, an export) run here, off the chat's lease: the chat keeps answering buttons
 * while the persona thinks. Each is a stored row first; its result comes back as a feedback event queued behind
 * the chat's pending updates, stored by the statement that deletes the row, so it is delivered exactly once.
 */
export interface WorkRunnerShape {
  /** Runs `work` with the app's services (it never fails: failures are feedback events too), then settles it. */
  readonly run: (ref: WorkRef, work: Effect.Effect<Feedback, never, Deps>) => Effect.Effect<void>
  /** Tells the work's chat something while the work goes on (an event row of its own, not the result). */
  readonly notify: (ref: WorkRef, feedback: Feedback) => Effect.Effect<void>
  /** Settles stored work with a result without running it (work given up on). */
  readonly settle: (ref: WorkRef, feedback: Feedback) => Effect.Effect<void>
}

export class WorkRunner extends Context.Service<WorkRunner, WorkRunnerShape>()("emco/WorkRunner") {}
