import { Effect, Redacted } from "effect"
import type { InlineKeyboardMarkup } from "grammy/types"
import type { Kysely } from "kysely"
import type { Database } from "../db/schema"
import { makeBroadcastJob } from "./broadcast/job"
import type { AppConfig } from "./config/config"
import { pacerFor } from "./lib/send-pacer"
import { findAttemptSummaries } from "./nav/history.repo"
import { makeNudgeJob } from "./nudges/job"
import { nudgeMessage } from "./nudges/message"
import { counted, retention } from "./scheduler/app-jobs"
import { JOB_KINDS } from "./scheduler/kinds"
import { makeScheduler } from "./scheduler/scheduler"
import { makeDb } from "./services/db"
import type { ErrorReporterShape } from "./services/error-reporter"
import type { LogShape } from "./services/log"
import type { MetricsShape } from "./services/metrics"
import { renderKeyboard } from "./services/reply-markup"
import { createApi } from "./services/telegram"

interface AppSchedulerParts {
  readonly kysely: Kysely<Database>
  readonly config: AppConfig
  readonly metrics: MetricsShape
  readonly log: LogShape
  readonly instanceId: string
  /** The one export job, shared with /export: it keeps its Google client between runs. */
  readonly exportJob: () => Promise<unknown>
  readonly errorReporter?: ErrorReporterShape | undefined
}

/** The scheduler with the bot's jobs: broadcasts (delivered through their own Bot API client), the export, retention. */
export const makeAppScheduler = ({
  kysely,
  config,
  metrics,
  log,
  instanceId,
  exportJob,
  errorReporter,
}: AppSchedulerParts) => {
  const token = Redacted.value(config.env.BOT_TOKEN)
  const broadcastApi = createApi(token, config.env.TELEGRAM_API_ROOT, metrics, false)
  const broadcastJob = makeBroadcastJob({
    db: kysely,
    pacer: pacerFor(token),
    send: async (chatId, html, paced) => {
      await paced()
      await broadcastApi.sendMessage(chatId, html, { parse_mode: "HTML" })
    },
    // Without auto-retry too: a 429 on the admin's progress message must not hold the delivery up to a minute.
    edit: (chatId, messageId, html, keyboard) =>
      broadcastApi.editMessageText(chatId, messageId, html, {
        parse_mode: "HTML",
        ...(keyboard ? { reply_markup: renderKeyboard(keyboard) as InlineKeyboardMarkup } : {}),
      }),
    timeZone: config.env.APSCHEDULER_TIMEZONE,
    onSettled: (outcome) => metrics.broadcastDeliveries.inc({ outcome }),
    sendNudge: async (userId, paced) => {
      const nudge = nudgeMessage(await findAttemptSummaries(kysely, userId))
      const reply_markup = renderKeyboard(nudge.keyboard) as InlineKeyboardMarkup
      await paced()
      await broadcastApi.sendMessage(userId, nudge.html, { parse_mode: "HTML", reply_markup })
    },
  })
  const scheduler = makeScheduler({
    db: makeDb(kysely, config.database.kind),
    database: config.database,
    owner: instanceId,
    log: log,
    leaseMs: config.env.JOB_LEASE_SECONDS * 1000,
    resumableKinds: [JOB_KINDS.broadcast],
    onJobFailed: (error, job) => {
      if (errorReporter) Effect.runFork(errorReporter.report(error, { operation: "job", job: job.name }))
    },
    handlers: counted(metrics, {
      [JOB_KINDS.broadcast]: broadcastJob,
      [JOB_KINDS.sheetsExport]: async () => void (await exportJob()),
      [JOB_KINDS.nudges]: makeNudgeJob(kysely, config.env.APSCHEDULER_TIMEZONE),
      [JOB_KINDS.retention]: () =>
        retention(
          kysely,
          config.env.DIALOGUE_RETENTION_DAYS,
          config.env.APSCHEDULER_TIMEZONE,
          config.database.kind === "pglite",
        ),
    }),
  })
  return scheduler
}
