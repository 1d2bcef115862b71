import { Layer } from "effect"
import { Charts } from "./services/charts"
import { AppClock } from "./services/clock"
import { Db, type DbShape } from "./services/db"
import { ErrorReporter, type ErrorReporterShape } from "./services/error-reporter"
import { Exporter, type ExporterShape } from "./services/exporter"
import { Llm, type LlmShape } from "./services/llm"
import { Log, type LogShape } from "./services/log"
import { Metrics, type MetricsShape } from "./services/metrics"
import { Settings, type SettingsShape } from "./services/settings"
import { Telegram, type TelegramShape } from "./services/telegram"
import { Speech, type SpeechShape, Transcriber, type TranscriberShape } from "./services/voice"

interface AppServiceParts {
  readonly db: DbShape
  readonly log: LogShape
  readonly metrics: MetricsShape
  readonly telegram: TelegramShape
  readonly settings: SettingsShape
  readonly clockOffset?: { readonly ms: number } | undefined
  readonly errorReporter?: ErrorReporterShape | undefined
  readonly ai: {
    readonly llm: LlmShape
    readonly transcriber: TranscriberShape
    readonly speech: SpeechShape
  }
  readonly exporter: ExporterShape
}

/** The services every update and every piece of work runs with (the chat queue is added on top). */
export const appServices = (parts: AppServiceParts) =>
  Layer.mergeAll(
    Layer.succeed(Db, parts.db),
    Layer.succeed(Log, parts.log),
    Layer.succeed(Metrics, parts.metrics),
    Layer.succeed(Telegram, parts.telegram),
    Settings.layer(parts.settings),
    parts.clockOffset ? AppClock.layerShifted(parts.clockOffset) : AppClock.layer,
    parts.errorReporter ? Layer.succeed(ErrorReporter, parts.errorReporter) : ErrorReporter.layerNone,
    Layer.succeed(Llm, parts.ai.llm),
    Layer.succeed(Transcriber, parts.ai.transcriber),
    Layer.succeed(Speech, parts.ai.speech),
    Charts.layer,
    Layer.succeed(Exporter, parts.exporter),
  )
