import { Context, Effect, Layer } from "effect"

/** Wall-clock time for the pipeline; reducers receive it as data and never read it themselves. */
export class AppClock extends Context.Service<AppClock, { readonly now: Effect.Effect<Date> }>()(
  "emco/AppClock",
) {
  static readonly layer = Layer.succeed(AppClock, { now: Effect.sync(() => new Date()) })
  /** A clock shifted by a mutable offset, so end-to-end tests can jump over lockouts and windows. */
  static readonly layerShifted = (offset: { ms: number }) =>
    Layer.succeed(AppClock, { now: Effect.sync(() => new Date(Date.now() + offset.ms)) })
}
