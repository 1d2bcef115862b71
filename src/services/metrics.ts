import { Context, Layer } from "effect"
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client"

const latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/** The Prometheus catalogue; one registry per app instance so tests can run several side by side. */
export const makeMetrics = () => {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const registers = [registry]
  const counter = <L extends string>(name: string, help: string, labelNames: ReadonlyArray<L>) =>
    new Counter<L>({ name, help, labelNames, registers })
  const gauge = (name: string, help: string) => new Gauge({ name, help, registers })
  return {
    registry,
    updates: counter("bot_updates_total", "Telegram updates processed, by update type and outcome", [
      "type",
      "outcome",
    ]),
    duplicates: counter(
      "bot_duplicate_updates_total",
      "Updates dropped because their update_id was already received",
      [],
    ),
    reducedAtReceipt: counter(
      "bot_reduced_at_receipt_total",
      "Updates reduced before they were stored: their step saved with them (saved), or dropped (stored_plain)",
      ["outcome"],
    ),
    stageLatency: new Histogram({
      name: "bot_pipeline_stage_seconds",
      help: "Time spent in each pipeline stage",
      labelNames: ["stage"] as const,
      buckets: latencyBuckets,
      registers,
    }),
    telegramCalls: counter("bot_telegram_api_calls_total", "Bot API calls by method and outcome", [
      "method",
      "outcome",
    ]),
    rateLimitBlocks: counter(
      "bot_rate_limit_blocks_total",
      "Messages refused by the per-user rate limit, by window",
      ["limit_type"],
    ),
    validationRejections: counter("bot_validation_errors_total", "Inputs refused by validation, by reason", [
      "reason",
    ]),
    authFailures: counter("bot_auth_failures_total", "Wrong passwords and lockouts", ["kind"]),
    inboxBacklog: gauge(
      "bot_inbox_backlog",
      "Received updates not yet fully processed (counted every 15 s, not per scrape)",
    ),
    aiCalls: counter("bot_ai_calls_total", "Provider attempts by provider, model, channel and outcome", [
      "provider",
      "model",
      "channel",
      "outcome",
    ]),
    aiLatency: new Histogram({
      name: "bot_ai_call_seconds",
      help: "Provider attempt latency by provider and channel",
      labelNames: ["provider", "channel"] as const,
      buckets: [0.25, 0.5, 1, 2, 4, 8, 15, 30, 60],
      registers,
    }),
    aiTokens: counter("bot_ai_tokens_total", "Tokens by provider and direction", ["provider", "direction"]),
    aiQueueWait: new Histogram({
      name: "bot_ai_queue_wait_seconds",
      help: "Time an AI call waited for a free slot under AI_MAX_CONCURRENCY",
      buckets: [0.01, 0.1, 0.5, 1, 2, 5, 10, 30],
      registers,
    }),
    aiInFlight: gauge("bot_ai_in_flight", "AI calls currently running"),
    jobRuns: counter("bot_job_runs_total", "Scheduled job runs on this instance by kind and outcome", [
      "kind",
      "outcome",
    ]),
    broadcastDeliveries: counter(
      "bot_broadcast_deliveries_total",
      "Broadcast recipients settled (sent, blocked, failed) and 429 answers seen while delivering",
      ["outcome"],
    ),
    activeDialogues: gauge(
      "bot_active_dialogues",
      "Chats in a role-play dialogue (counted every 15 s, not per scrape)",
    ),
    processingFailures: counter(
      "bot_processing_failures_total",
      "Inbox rows whose processing failed (retried, or given up after the last attempt)",
      ["final"],
    ),
    quotesUnverified: counter(
      "bot_quotes_unverified_total",
      "Steps a model claimed with a quote not found in the learner's words (not counted), by case and source (judge, reviewer)",
      ["case", "source"],
    ),
    stepsDisputed: counter(
      "bot_review_steps_disputed_total",
      "Review steps without a majority across the samples, or credited live and found missed («спорно»), by case",
      ["case"],
    ),
    workReissues: counter(
      "bot_background_work_reissued_total",
      "Stored AI work or exports taken over from a lost or stopped instance (reissued) or failed after the last issue (given_up)",
      ["outcome"],
    ),
  }
}

export type MetricsShape = ReturnType<typeof makeMetrics>

export class Metrics extends Context.Service<Metrics, MetricsShape>()("emco/Metrics") {
  static readonly layer = Layer.sync(Metrics, makeMetrics)
}
