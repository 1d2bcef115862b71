import { hostname } from "node:os"
import { Effect, Layer, ManagedRuntime, Redacted } from "effect"
import type { Kysely } from "kysely"
import type { Database } from "../db/schema"
import type { AppConfig } from "./config/config"
import { makeSheetsExportJob, type SheetsExportJobOptions } from "./export/export-job"
import { startDbGauges } from "./http/db-gauges"
import type { Lifecycle } from "./http/server"
import { receiveWithin } from "./intake/receive"
import { startIntake, startOpsServer } from "./intake/start-intake"
import { within } from "./lib/within"
import { botCommands } from "./nav/command-menu"
import { ChatQueue } from "./pipeline/chat-queue"
import { WorkRunner } from "./pipeline/deps"
import { reissueOrphanedWork } from "./pipeline/work"
import { pingDatabase } from "./repositories/health.repo"
import { countBacklog } from "./repositories/inbox.repo"
import { countActiveDialogues } from "./repositories/sessions.repo"
import { FEWER_CONNECTIONS_WARNING, warmConnections } from "./repositories/warm-up.repo"
import { ensureAppJobs } from "./scheduler/app-jobs"
import { makeAi, requireAiKey } from "./services/ai-setup"
import { closeDatabases, makeDb, migrateToLatest, openDatabase, openLazyCommits } from "./services/db"
import type { ErrorReporterShape } from "./services/error-reporter"
import { exporterFrom } from "./services/exporter"
import { describeError, makeLog } from "./services/log"
import { makeMetrics } from "./services/metrics"
import type { Seeded } from "./services/pglite-template"
import { waitForPostgres } from "./services/postgres-wait"
import { makeSettings } from "./services/settings"
import { createApi, makeTelegram } from "./services/telegram"
import { makeAppScheduler } from "./start-scheduler"
import { appServices } from "./start-services"
import { embeddedOpening, withDeadline } from "./startup"

export { StartupError } from "./startup"

export interface StartOptions {
  /** Deadline for each Bot API call made during start-up (getMe, setWebhook); 30 s by default. */
  readonly telegramStartupTimeoutMs?: number
  /** How often orphaned inbox rows are looked for (start-up resume, crashed peers, retries). */
  readonly sweepIntervalMs?: number
  /** How often the database gauges (inbox backlog, active dialogues) are counted; 15 s by default. */
  readonly gaugeIntervalMs?: number
  /** How long storing an update may take before it is refused (Telegram delivers it again); 10 s by default. */
  readonly storeDeadlineMs?: number
  readonly instanceId?: string
  readonly clockOffset?: { ms: number }
  readonly errorReporter?: ErrorReporterShape
  /** Google Sheets client overrides (tests: a pre-authorised client and a fake Sheets server). */
  readonly sheets?: Pick<SheetsExportJobOptions, "auth" | "rootUrl" | "drive">
  readonly logSink?: (line: string) => void
}

export interface RunningApp {
  /** The app's database handle, for ops scripts and tests that inspect state. */
  readonly db: Kysely<Database>
  readonly metricsPort: number
  readonly webhookPort: number | null
  readonly instanceId: string
  /**
   * Resolves once every stored update is fully processed, no chat is being worked on and every usage row is written
   * (tests, drain checks).
   */
  readonly whenIdle: (timeoutMs?: number) => Promise<void>
  /** Graceful stop: /ready → 503, intake closed, in-flight rows finished (or left for the next start), DB closed. */
  readonly stop: () => Promise<{ drained: boolean }>
}

/** Boots everything in order and returns a handle to stop it. The composition root of the bot. */
export const startApp = async (config: AppConfig, options: StartOptions = {}): Promise<RunningApp> => {
  const { env } = config
  requireAiKey(env)
  let lifecycle: Lifecycle = "starting"
  const logShape = makeLog(env.LOG_LEVEL, options.logSink ?? ((l) => process.stdout.write(`${l}\n`)))
  const log = (msg: string, fields?: Record<string, string | number | boolean>) =>
    Effect.runSync(logShape.info(msg, fields))
  // HTTP handlers (Elysia swallows their errors), polling and start-up steps report here as well as to the log.
  const logError = (where: string, error: unknown) => {
    Effect.runSync(logShape.error(`${where} failed`, describeError(error)))
    if (options.errorReporter) Effect.runFork(options.errorReporter.report(error, { operation: where }))
  }
  const metrics = makeMetrics()
  // The ops server answers from the first moment (/ready 503 while booting); it pings the database once open.
  let database: Kysely<Database> | undefined
  const server = {
    lifecycle: () => lifecycle,
    pingDb: () => (database ? pingDatabase(database) : Promise.reject(new Error("database not open yet"))),
    registry: metrics.registry,
    onError: logError,
  }
  const ops = startOpsServer(server, env.METRICS_PORT)
  return boot().catch(async (e: unknown) => {
    await ops.stop()
    throw e
  })

  async function boot(): Promise<RunningApp> {
    let seeded = "server" as Seeded | "server"
    const embedded = embeddedOpening(env.DATABASE_CONNECT_TIMEOUT_SEC, logShape, (how) => (seeded = how))
    const kysely = await openDatabase(config.database, embedded.seeded, undefined, embedded.lock)
    database = kysely
    const lazyKysely = await openLazyCommits(config.database, kysely)
    // On the lease pool: Bun's pool opens all its connections at its first query, so a server short of them leaves
    // the main pool short (its queries wait), not the lease writes (they would fail for good).
    if (config.database.kind === "postgres")
      await waitForPostgres(
        lazyKysely,
        Redacted.value(config.database.url),
        env.DATABASE_CONNECT_TIMEOUT_SEC,
        (fields) => Effect.runSync(logShape.warn("database unreachable, retrying", fields)),
      ).catch(async (e: unknown) => {
        await closeDatabases(kysely, lazyKysely)
        throw e
      })
    const applied = await migrateToLatest(kysely)
    // Meanwhile Telegram and the AI providers are asked; done before the first update can arrive.
    const warming = warmConnections(kysely, lazyKysely, env.DATABASE_MAX_CONNECTIONS).then(
      (short) => short && Effect.runSync(logShape.warn(FEWER_CONNECTIONS_WARNING, short)),
      (e) => logError("warming the database connections", e),
    )
    log("database ready", { kind: config.database.kind, migrations: applied.length, seeded })
    if (!config.authEnabled)
      Effect.runSync(logShape.warn("no AUTH_PASSWORD_* set: sign-in is off and everyone is a user"))

    const api = createApi(Redacted.value(env.BOT_TOKEN), env.TELEGRAM_API_ROOT, metrics)
    const deadline = options.telegramStartupTimeoutMs ?? 30_000
    // A start that fails from here closes the pools, once the warm-up has given its connections back.
    const orClose = <A>(step: Promise<A>) =>
      step.catch(async (e: unknown) => {
        await warming
        await closeDatabases(kysely, lazyKysely)
        throw e
      })
    const me = await orClose(withDeadline("getMe", deadline, (signal) => api.getMe(signal)))
    const ai = await orClose(Promise.resolve().then(() => makeAi(config, logShape, metrics, lazyKysely)))
    const instanceId = options.instanceId ?? `${hostname()}-${process.pid}-${crypto.randomUUID().slice(0, 8)}`
    const settings = makeSettings(config, me.username, instanceId)

    // One export job for /export and the schedule: it keeps its Google client between runs.
    const exportJob = makeSheetsExportJob({ db: kysely, env: config.env, ...options.sheets })
    const base = appServices({
      db: makeDb(kysely, config.database.kind, lazyKysely),
      log: logShape,
      metrics,
      telegram: makeTelegram(
        api,
        (path) => `${env.TELEGRAM_API_ROOT}/file/bot${Redacted.value(env.BOT_TOKEN)}/${path}`,
      ),
      settings,
      clockOffset: options.clockOffset,
      errorReporter: options.errorReporter,
      ai,
      exporter: exporterFrom(() => exportJob()),
    })
    const runtime = ManagedRuntime.make(Layer.provideMerge(ChatQueue.layer({ maxConcurrentChats: 64 }), base))
    // A stuck database must not hold Telegram's webhook request (or the polling loop) forever: after the deadline
    // the update is refused and delivered again (the inbox dedupes it if the write landed after all).
    const store = receiveWithin(options.storeDeadlineMs ?? 10_000, (r, o) => runtime.runCallback(r, o))

    await withDeadline("setMyCommands", deadline, (signal) =>
      api.setMyCommands(botCommands(), {}, signal),
    ).catch((e) => logError("setMyCommands", e))
    await warming
    const intake = await startIntake({
      api,
      mode: config.mode,
      deadlineMs: deadline,
      store,
      onError: logError,
      server,
    })

    await ensureAppJobs(kysely, config)
    const scheduler = makeAppScheduler({
      kysely,
      config,
      metrics,
      log: logShape,
      instanceId,
      exportJob,
      errorReporter: options.errorReporter,
    })
    const queue = await runtime.runPromise(ChatQueue)
    // Stored work nobody is doing is issued again: at start all of it on an embedded database (no other instance can
    // own any), then on every sweep whatever a lost or stopped instance left behind.
    const reissue = (everything: boolean) =>
      runtime.runPromise(
        reissueOrphanedWork(everything).pipe(Effect.provideService(WorkRunner, queue.workRunner)),
      )
    await runtime.runPromise(queue.sweep)
    await reissue(config.database.kind === "pglite")
    await Effect.runPromise(scheduler.start())
    // The stop waits for a sweep in flight: the runtime's disposal would interrupt it, its promise rejected unheard.
    let sweeping: Promise<unknown> = Promise.resolve()
    const sweeper = setInterval(() => {
      sweeping = Promise.all([runtime.runPromise(queue.sweep), reissue(false)]).catch(() => undefined)
    }, options.sweepIntervalMs ?? 2000)
    const gauges = await startDbGauges({
      intervalMs: options.gaugeIntervalMs ?? 15_000,
      refresh: async () => {
        metrics.inboxBacklog.set(await countBacklog(kysely))
        metrics.activeDialogues.set(await countActiveDialogues(kysely))
      },
      onError: (e) => logError("database gauges", e),
    })
    lifecycle = "ready"
    const { webhookPort } = intake
    const metricsPort = ops.port
    log("bot started", {
      mode: config.mode.kind,
      username: me.username,
      instanceId,
      pid: process.pid,
      metricsPort,
      webhookPort: webhookPort ?? 0,
    })
    const stop = async () => {
      lifecycle = "draining"
      clearInterval(sweeper)
      await within(sweeping, 5000)
      await gauges.stop()
      await intake.stopPolling()
      const drained = await runtime.runPromise(queue.drain(env.SHUTDOWN_TIMEOUT_SEC * 1000))
      // Usage rows of the last answers are written beside them: let them land before the database closes.
      await within(ai.usageWritten(), 5000)
      await Effect.runPromise(scheduler.stop(env.SHUTDOWN_TIMEOUT_SEC * 1000))
      await intake.stopServers()
      await ops.stop()
      await runtime.dispose()
      await closeDatabases(kysely, lazyKysely)
      log("bot stopped", { drained })
      return { drained }
    }

    const whenIdle = async (timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs
      while ((await countBacklog(kysely)) > 0 || queue.activeChats() > 0) {
        if (Date.now() > deadline) throw new Error(`not idle after ${timeoutMs} ms`)
        await Bun.sleep(5)
      }
      // Every usage row is recorded before its answer is stored (the AI call precedes its feedback row), so by now
      // the chain holds them all.
      await ai.usageWritten()
    }

    return { db: kysely, whenIdle, metricsPort, webhookPort, instanceId, stop }
  }
}
