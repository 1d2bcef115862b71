import { Context, Effect, Layer } from "effect"

export type LogLevel = "debug" | "info" | "warn" | "error" | "silent"
type Fields = Readonly<Record<string, string | number | boolean | null | undefined>>

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 }

/**
 * Structured JSON logs, one line per event. Callers pass ids, tags and counts only: never message text,
 * passwords or tokens (those never reach a log line by construction, see `describeError`).
 */
export interface LogShape {
  readonly debug: (msg: string, fields?: Fields) => Effect.Effect<void>
  readonly info: (msg: string, fields?: Fields) => Effect.Effect<void>
  readonly warn: (msg: string, fields?: Fields) => Effect.Effect<void>
  readonly error: (msg: string, fields?: Fields) => Effect.Effect<void>
}

export class Log extends Context.Service<Log, LogShape>()("emco/Log") {
  static readonly layer = (
    level: LogLevel,
    sink: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
  ) => Layer.succeed(Log, makeLog(level, sink))
}

export const makeLog = (level: LogLevel, sink: (line: string) => void): LogShape => {
  const at =
    (lvl: Exclude<LogLevel, "silent">) =>
    (msg: string, fields: Fields = {}): Effect.Effect<void> =>
      rank[lvl] < rank[level]
        ? Effect.void
        : Effect.sync(() =>
            sink(JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...fields })),
          )
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") }
}

// Bot tokens (bare or in a Bot API path), OpenAI/Google keys, database URLs and any URL with user:password@.
const SECRETISH =
  /((bot)?\d{5,}:[A-Za-z0-9_-]{20,})|((sk|AIza)[A-Za-z0-9_-]{10,})|(postgres(ql)?:\/\/[^\s]+)|([a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:[^\s/@]+@[^\s]+)/gi

/** An error as a log field: its class and a message with token-, key- and URL-shaped secrets masked. */
export const describeError = (error: unknown): { error: string; errorMessage: string } => {
  const name = error instanceof Error ? error.constructor.name || error.name : typeof error
  const message = error instanceof Error ? error.message : String(error)
  return { error: name, errorMessage: message.replace(SECRETISH, "[redacted]").slice(0, 500) }
}
