import { Context, Effect } from "effect"

export interface ExportOutcome {
  readonly url: string
  readonly sheets: number
  readonly rows: number
}

/** The Google Sheets export (now by /export, on schedule later); failures carry a message safe to show admins. */
export interface ExporterShape {
  readonly run: Effect.Effect<ExportOutcome, { readonly message: string }>
}

export class Exporter extends Context.Service<Exporter, ExporterShape>()("emco/Exporter") {}

export const exporterFrom = (job: () => Promise<ExportOutcome>): ExporterShape => ({
  run: Effect.tryPromise({
    try: () => job(),
    catch: (error) => ({
      message:
        typeof error === "object" && error !== null && "_tag" in error && error._tag === "SheetsExportError"
          ? String((error as unknown as { message: unknown }).message)
          : "Ошибка выгрузки / export failed",
    }),
  }),
})
