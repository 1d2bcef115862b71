import { Redacted, Result } from "effect"
import { formatConfigErrors, missingAiKey, parseConfig } from "./config/config"
import { environment } from "./config/dotenv"
import { startMemoryGuard } from "./lib/memory-guard"
import { describeError } from "./services/log"
import { StartupError, startApp } from "./start"

const source = environment(process.env)
const config = parseConfig(source)
const problems = [...(Result.isFailure(config) ? config.failure : []), ...missingAiKey(source)]
if (Result.isFailure(config) || problems.length > 0) {
  console.error(formatConfigErrors(problems))
  process.exit(1)
}

const { env } = config.success
// The Sentry SDK (~35 MiB) is loaded only when a DSN is set.
const sentry = env.SENTRY_DSN ? await import("./services/sentry") : undefined
const errorReporter =
  sentry && env.SENTRY_DSN
    ? sentry.makeSentryReporter({
        dsn: Redacted.value(env.SENTRY_DSN),
        environment: env.SENTRY_ENV,
        release: sentry.releaseName(),
      })
    : undefined
const flushSentry = (timeoutMs: number) => sentry?.flushSentry(timeoutMs) ?? Promise.resolve(true)

const app = await startApp(config.success, errorReporter ? { errorReporter } : {}).catch(
  async (error: unknown) => {
    console.error(
      error instanceof StartupError
        ? error.message
        : `Бот не запустился / The bot failed to start: ${describeError(error).errorMessage}`,
    )
    if (errorReporter && !(error instanceof StartupError)) await flushSentry(2000)
    process.exit(1)
  },
)

// A burst after a quiet spell could grow the heap past a small container before the collector ran (memory-guard.ts).
startMemoryGuard()

let stopping = false
const shutdown = (signal: string) => {
  if (stopping) return
  stopping = true
  const line = { time: new Date().toISOString(), level: "info", msg: "shutting down", signal }
  process.stdout.write(`${JSON.stringify(line)}\n`)
  app
    .stop()
    .then(() => flushSentry(2000))
    .then(
      () => process.exit(0),
      (error: unknown) => {
        const line = {
          time: new Date().toISOString(),
          level: "error",
          msg: "shutdown failed",
          ...describeError(error),
        }
        process.stdout.write(`${JSON.stringify(line)}\n`)
        process.exit(1)
      },
    )
}
process.on("SIGTERM", () => shutdown("SIGTERM"))
process.on("SIGINT", () => shutdown("SIGINT"))
