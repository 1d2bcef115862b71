import { Context, Effect, Layer } from "effect"

/** The Sentry hook point: the pipeline, jobs and HTTP report failures here, with ids only (no dialogue text). */
export interface ErrorReporterShape {
  readonly report: (
    error: unknown,
    context: Readonly<Record<string, string | number | undefined>>,
  ) => Effect.Effect<void>
}

export class ErrorReporter extends Context.Service<ErrorReporter, ErrorReporterShape>()(
  "emco/ErrorReporter",
) {
  static readonly layerNone = Layer.succeed(ErrorReporter, { report: () => Effect.void })
}
