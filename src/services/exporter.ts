import { Context, Effect } from "effect"

export interface ExportOutcome {
  readonly url: string
  readonly sheets: number
  readonly rows: number
}

/**
 * Why the Google Sheets export failed: the kind, for the admin (who can only ask their operator), and the
 * technical detail, for the log (never keys or tokens: see export/errors.ts).
 */
export interface ExportFailure {
  readonly reason: "no_credentials" | "not_found" | "api" | "unknown"
  readonly detail: string
}

/** The Google Sheets export (now by /export, on schedule later). */
export interface ExporterShape {
  readonly run: Effect.Effect<ExportOutcome, ExportFailure>
}

export class Exporter extends Context.Service<Exporter, ExporterShape>()("emco/Exporter") {}

const isSheetsError = (error: unknown): error is { reason: ExportFailure["reason"]; message: string } =>
  typeof error === "object" && error !== null && "_tag" in error && error._tag === "SheetsExportError"

export const exporterFrom = (job: () => Promise<ExportOutcome>): ExporterShape => ({
  run: Effect.tryPromise({
    try: () => job(),
    catch: (error): ExportFailure =>
      isSheetsError(error)
        ? { reason: error.reason, detail: String(error.message) }
        : { reason: "unknown", detail: error instanceof Error ? error.constructor.name : typeof error },
  }),
})
