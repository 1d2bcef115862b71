import { Redacted } from "effect"
import type { Api } from "grammy"
import type { Update } from "grammy/types"
import type { Mode } from "../config/config"
import { opsRoutes, type ServerDeps, webhookRoute } from "../http/server"
import { describeError } from "../services/log"
import { StartupError, withDeadline } from "../startup"
import { runPolling } from "./polling"
import { ALLOWED_UPDATES } from "./receive"

export interface Intake {
  readonly webhookPort: number | null
  /** Stops taking updates (polling loop, HTTP servers); stored updates stay for the queue to finish. */
  readonly stopPolling: () => Promise<void>
  readonly stopServers: () => Promise<void>
}

/**
 * Telegram's delivery: the webhook alone on its public port with setWebhook (never deleted on shutdown), or long
 * polling after clearing any webhook. The ops server runs from the very start (see startOpsServer).
 */
export const startIntake = async (options: {
  readonly api: Api
  readonly mode: Mode
  readonly deadlineMs: number
  readonly server: ServerDeps
  readonly store: (update: Update) => Promise<unknown>
  readonly onError: (where: string, error: unknown) => void
}): Promise<Intake> => {
  const { api, mode, server, store } = options
  const webhook =
    mode.kind === "webhook"
      ? listenOn("WEBHOOK_PORT", mode.port, (at) =>
          webhookRoute(server, { path: mode.path, secret: Redacted.value(mode.secret), store }).listen(at),
        )
      : null
  const polling = new AbortController()
  let pollingDone: Promise<void> = Promise.resolve()
  if (mode.kind === "webhook") {
    const settings = {
      secret_token: Redacted.value(mode.secret),
      allowed_updates: [...ALLOWED_UPDATES],
      drop_pending_updates: false,
    }
    await withDeadline("setWebhook", options.deadlineMs, (signal) =>
      api.setWebhook(mode.url, settings, signal),
    )
  } else {
    await withDeadline("deleteWebhook", options.deadlineMs, (signal) =>
      api.deleteWebhook({ drop_pending_updates: false }, signal),
    )
    const onError = (stage: string, e: unknown) => options.onError(`polling ${stage}`, e)
    pollingDone = runPolling({ api, store, onError }, polling.signal)
  }
  return {
    webhookPort: webhook?.server?.port ?? null,
    stopPolling: async () => {
      polling.abort()
      await pollingDone
    },
    stopServers: async () => {
      await webhook?.stop()
    },
  }
}

/**
 * /health, /ready and /metrics on METRICS_PORT only, listening before anything else starts: while the bot boots
 * (the database, Telegram), /health says 200 and /ready 503.
 */
export const startOpsServer = (server: ServerDeps, port: number) => {
  const ops = listenOn("METRICS_PORT", port, (at) => opsRoutes(server).listen(at))
  return { port: ops.server?.port ?? port, stop: () => ops.stop() }
}

/**
 * Listens on `port` alone: Elysia asks for SO_REUSEPORT by default, which let a second process (or the other server
 * of this one) share a port silently and take its connections in turns. A port in use is named by its variable.
 */
const listenOn = <A>(
  variable: string,
  port: number,
  listen: (at: { port: number; hostname: string; reusePort: boolean }) => A,
): A => {
  try {
    return listen({ port, hostname: "0.0.0.0", reusePort: false })
  } catch (error) {
    throw new StartupError(
      `Порт ${port} (${variable}) занят другим процессом или сервером — выбери другой в ${variable}. / ` +
        `Port ${port} (${variable}) is in use: choose another in ${variable}. (${describeError(error).errorMessage})`,
    )
  }
}
