import { Context, Layer } from "effect"
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client"

const latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/** The Prometheus catalogue; one registry per app instance so tests can run several side by side. */
export const makeMetrics = () => {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const registers = [registry]
  return {
    registry,
    updates: new Counter({
      name: "bot_updates_total",
      help: "Telegram updates processed, by update type and outcome",
      labelNames: ["type", "outcome"] as const,
      registers,
    }),
    duplicates: new Counter({
      name: "bot_duplicate_updates_total",
      help: "Updates dropped because their update_id was already received",
      registers,
    }),
    stageLatency: new Histogram({
      name: "bot_pipeline_stage_seconds",
      help: "Time spent in each pipeline stage",
      labelNames: ["stage"] as const,
      buckets: latencyBuckets,
      registers,
    }),
    telegramCalls: new Counter({
      name: "bot_telegram_api_calls_total",
      help: "Bot API calls by method and outcome",
      labelNames: ["method", "outcome"] as const,
      registers,
    }),
    rateLimitBlocks: new Counter({
      name: "bot_rate_limit_blocks_total",
      help: "Messages refused by the per-user rate limit, by window",
      labelNames: ["limit_type"] as const,
      registers,
    }),
    validationRejections: new Counter({
      name: "bot_validation_errors_total",
      help: "Inputs refused by validation, by reason",
      labelNames: ["reason"] as const,
      registers,
    }),
    authFailures: new Counter({
      name: "bot_auth_failures_total",
      help: "Wrong passwords and lockouts",
      labelNames: ["kind"] as const,
      registers,
    }),
    inboxBacklog: new Gauge({
      name: "bot_inbox_backlog",
      help: "Received updates not yet fully processed (counted every 15 s, not per scrape)",
      registers,
    }),
    aiCalls: new Counter({
      name: "bot_ai_calls_total",
      help: "Provider attempts by provider, model, channel and outcome",
      labelNames: ["provider", "model", "channel", "outcome"] as const,
      registers,
    }),
    aiLatency: new Histogram({
      name: "bot_ai_call_seconds",
      help: "Provider attempt latency by provider and channel",
      labelNames: ["provider", "channel"] as const,
      buckets: [0.25, 0.5, 1, 2, 4, 8, 15, 30, 60],
      registers,
    }),
    aiTokens: new Counter({
      name: "bot_ai_tokens_total",
      help: "Tokens by provider and direction",
      labelNames: ["provider", "direction"] as const,
      registers,
    }),
    aiQueueWait: new Histogram({
      name: "bot_ai_queue_wait_seconds",
      help: "Time an AI call waited for a free slot under AI_MAX_CONCURRENCY",
      buckets: [0.01, 0.1, 0.5, 1, 2, 5, 10, 30],
      registers,
    }),
    aiInFlight: new Gauge({
      name: "bot_ai_in_flight",
      help: "AI calls currently running",
      registers,
    }),
    jobRuns: new Counter({
      name: "bot_job_runs_total",
      help: "Scheduled job runs on this instance by kind and outcome",
      labelNames: ["kind", "outcome"] as const,
      registers,
    }),
    broadcastDeliveries: new Counter({
      name: "bot_broadcast_deliveries_total",
      help: "Broadcast recipients settled (sent, blocked, failed) and 429 answers seen while delivering",
      labelNames: ["outcome"] as const,
      registers,
    }),
    activeDialogues: new Gauge({
      name: "bot_active_dialogues",
      help: "Chats in a role-play dialogue (counted every 15 s, not per scrape)",
      registers,
    }),
    processingFailures: new Counter({
      name: "bot_processing_failures_total",
      help: "Inbox rows whose processing failed (retried, or given up after the last attempt)",
      labelNames: ["final"] as const,
      registers,
    }),
    workReissues: new Counter({
      name: "bot_background_work_reissued_total",
      help: "Stored AI work or exports taken over from a lost or stopped instance (reissued) or failed after the last issue (given_up)",
      labelNames: ["outcome"] as const,
      registers,
    }),
  }
}

export type MetricsShape = ReturnType<typeof makeMetrics>

export class Metrics extends Context.Service<Metrics, MetricsShape>()("emco/Metrics") {
  static readonly layer = Layer.sync(Metrics, makeMetrics)
}
