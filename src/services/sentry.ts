import * as Sentry from "@sentry/bun"
import { Effect } from "effect"
import pkg from "../../package.json"
import type { ErrorReporterShape } from "./error-reporter"
import { describeError } from "./log"

export interface SentryOptions {
  readonly dsn: string
  readonly environment: string
  readonly release: string
}

/** Keys that may leave the process (as tags or extra): ids and technical labels, never content. */
const ID_KEYS = new Set([
  "rowId",
  "chatId",
  "updateId",
  "userId",
  "job",
  "caseId",
  "stage",
  "operation",
  "provider",
  "channel",
  "attempt",
])
const ID_VALUE = /^[A-Za-z0-9_.:-]{1,64}$/
// SDK-made technical contexts; anything a library or a future call site attaches is dropped.
const KEPT_CONTEXTS = new Set(["trace", "runtime", "os", "app", "device", "culture"])
const BREADCRUMB_DATA = new Set(["url", "method", "status_code"])

// On top of describeError's rules: bare bot tokens (no `bot` prefix) and credentials in any URL.
const BARE_BOT_TOKEN = /\b\d{5,}:[A-Za-z0-9_-]{30,}/g
const URL_WITH_CREDENTIALS = /\b[a-z][a-z0-9+.-]*:\/\/[^\s/@]+@[^\s]*/gi

/** The same masking as `describeError`, plus the shapes it does not cover. */
export const maskSecrets = (text: string): string =>
  describeError(text)
    .errorMessage.replace(BARE_BOT_TOKEN, "[redacted]")
    .replace(URL_WITH_CREDENTIALS, "[redacted]")

// Query strings are dropped whole: they carry search terms, tokens and ids we never need in a report.
const maskUrl = (url: unknown) => (typeof url === "string" ? maskSecrets(url.replace(/[?#].*$/, "")) : url)

const idEntries = (record: Readonly<Record<string, unknown>> | undefined): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(record ?? {})) {
    if (!ID_KEYS.has(key) || (typeof value !== "string" && typeof value !== "number")) continue
    if (ID_VALUE.test(String(value))) out[key] = String(value)
  }
  return out
}

const maskRecord = <V>(record: Record<string, V>, keep: (key: string) => boolean): Record<string, V> =>
  Object.fromEntries(
    Object.entries(record)
      .filter(([key]) => keep(key))
      .map(([key, value]) => [key, typeof value === "string" ? (maskSecrets(value) as V) : value]),
  )

/** Applied to every event the SDK sends, ours or captured automatically (uncaught errors, rejections). */
export const scrubEvent = (event: Sentry.ErrorEvent): Sentry.ErrorEvent => {
  delete event.user
  const extra = idEntries(event.extra)
  delete event.extra
  if (Object.keys(extra).length > 0) event.extra = extra
  if (event.request) event.request = event.request.url ? { url: String(maskUrl(event.request.url)) } : {}
  if (event.contexts) event.contexts = maskRecord(event.contexts, (key) => KEPT_CONTEXTS.has(key))
  if (event.tags) event.tags = maskRecord(event.tags, () => true)
  if (event.message) event.message = maskSecrets(event.message)
  if (event.logentry) event.logentry = { message: maskSecrets(event.logentry.message ?? "") }
  if (event.transaction) event.transaction = maskSecrets(event.transaction)
  for (const exception of event.exception?.values ?? []) {
    if (exception.value) exception.value = maskSecrets(exception.value)
    for (const frame of exception.stacktrace?.frames ?? []) delete frame.vars
  }
  // Console breadcrumbs repeat whatever a library printed; HTTP ones keep the masked URL, method and status.
  event.breadcrumbs = event.breadcrumbs
    ?.filter((crumb) => crumb.category !== "console")
    .map((crumb) => ({
      ...crumb,
      message: crumb.message === undefined ? undefined : maskSecrets(crumb.message),
      data:
        crumb.data === undefined
          ? undefined
          : { ...maskRecord(crumb.data, (key) => BREADCRUMB_DATA.has(key)), url: maskUrl(crumb.data.url) },
    }))
  return event
}

const initOnce = (options: SentryOptions): void => {
  if (Sentry.isInitialized()) return
  Sentry.init({
    dsn: options.dsn,
    environment: options.environment,
    release: options.release,
    tracesSampleRate: 0,
    dataCollection: {
      userInfo: false,
      cookies: false,
      httpHeaders: false,
      httpBodies: [],
      urlQueryParams: false,
      graphQL: { document: false, variables: false },
      genAI: { inputs: false, outputs: false },
      databaseQueryData: false,
      queues: false,
      stackFrameVariables: false,
    },
    beforeSend: scrubEvent,
  })
}

/**
 * An `ErrorReporter` backed by Sentry: the error's class, its masked message and the id context (as tags).
 * Sentry is global per process, so the first call initialises it and later calls reuse that client.
 */
export const makeSentryReporter = (options: SentryOptions): ErrorReporterShape => {
  initOnce(options)
  return {
    report: (error, context) =>
      Effect.sync(() => {
        const { error: errorClass, errorMessage } = describeError(error)
        const captured =
          error instanceof Error ? error : Object.assign(new Error(errorMessage), { name: errorClass })
        Sentry.withScope((scope) => {
          scope.setTags({ ...idEntries(context), error_class: errorClass })
          Sentry.captureException(captured)
        })
      }),
  }
}

/** Sends what is queued before exit: false if the timeout passed first, true when Sentry is off. */
export const flushSentry = (timeoutMs: number): Promise<boolean> =>
  Sentry.isInitialized() ? Sentry.flush(timeoutMs) : Promise.resolve(true)

/** `emco-assessment-bot@0.1.0`, plus `+<sha>` when the deploy sets SOURCE_COMMIT or GIT_SHA. */
export const releaseName = (env: Record<string, string | undefined> = process.env): string => {
  const sha = (env.SOURCE_COMMIT || env.GIT_SHA || "").trim()
  const base = `${pkg.name}@${pkg.version}`
  return /^[0-9a-f]{7,40}$/i.test(sha) ? `${base}+${sha.slice(0, 12)}` : base
}
