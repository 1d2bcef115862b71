import { Cron } from "croner"
import { Redacted, Result } from "effect"
import { type FieldName, fields } from "./fields"
import { secretProblems } from "./secret-rules"

type Parsed<K extends FieldName> = (typeof fields)[K] extends {
  parse: (raw: string) => Result.Result<infer A, string>
}
  ? A
  : never
type Required = "BOT_TOKEN"
type WithDefault = {
  [K in FieldName]: (typeof fields)[K]["fallback"] extends undefined ? never : K
}[FieldName]
export type Env = { readonly [K in Required | WithDefault]: Parsed<K> } & {
  readonly [K in Exclude<FieldName, Required | WithDefault>]?: Parsed<K>
}

export type Database =
  | { readonly kind: "pglite"; readonly dataDir: string }
  | {
      readonly kind: "postgres"
      readonly url: Redacted.Redacted<string>
      readonly sslMode: Env["DATABASE_SSL_MODE"]
      /** Every connection this instance opens, all pools and the scheduler's leader together. */
      readonly maxConnections: number
    }

export type Mode =
  | { readonly kind: "polling" }
  | {
      readonly kind: "webhook"
      readonly url: string
      readonly path: string
      readonly port: number
      readonly secret: Redacted.Redacted<string>
    }

/** The validated configuration: `env` holds every variable, the rest is derived shape used at start-up. */
export interface AppConfig {
  readonly env: Env
  readonly database: Database
  readonly mode: Mode
  readonly authEnabled: boolean
}

const isBlank = (v: string | undefined): v is undefined => v === undefined || v.trim() === ""

/** `postgresql+asyncpg://` (the original bot's form) and `postgresql://` both become `postgres://`. */
export const normalizeDatabaseUrl = (url: string): string =>
  url.replace(/^postgres(ql)?(\+[a-z0-9]+)?:\/\//i, "postgres://")

const readAll = (source: Record<string, string | undefined>): { env: Partial<Env>; errors: string[] } => {
  const errors: string[] = []
  const out: Record<string, unknown> = {}
  for (const [name, spec] of Object.entries(fields)) {
    const raw = source[name]
    if (isBlank(raw)) {
      if (spec.required) errors.push(`${name}: не задана / not set — ${spec.doc}`)
      else if (spec.fallback !== undefined) out[name] = spec.fallback
      continue
    }
    const parsed = (spec.parse as (raw: string) => Result.Result<unknown, string>)(raw.trim())
    if (Result.isSuccess(parsed)) out[name] = parsed.success
    else errors.push(`${name}: ${parsed.failure}`)
  }
  return { env: out as Partial<Env>, errors }
}

// Runs on whatever parsed, so one start-up reports field and cross-field problems together.
/** Rules across variables; `invalid` names those already reported (an invalid value is not also «missing»). */
const crossCheck = (env: Partial<Env>, invalid: ReadonlySet<string>): string[] => {
  const errors: string[] = secretProblems(env)
  const over = (a: number | undefined, b: number | undefined) => a !== undefined && b !== undefined && a > b
  if (env.WEBHOOK_ENABLED) {
    if (!env.WEBHOOK_HOST && !invalid.has("WEBHOOK_HOST"))
      errors.push("WEBHOOK_HOST: нужен при WEBHOOK_ENABLED=true / required when WEBHOOK_ENABLED=true")
    if (!env.WEBHOOK_SECRET && !invalid.has("WEBHOOK_SECRET"))
      errors.push("WEBHOOK_SECRET: нужен при WEBHOOK_ENABLED=true / required when WEBHOOK_ENABLED=true")
    // Two servers on one port take its connections in turns: Telegram's deliveries would meet /metrics half the time.
    if (env.WEBHOOK_PORT && env.WEBHOOK_PORT === env.METRICS_PORT)
      errors.push(
        "WEBHOOK_PORT: совпадает с METRICS_PORT — служебным эндпоинтам нужен свой порт, закрытый снаружи / same as METRICS_PORT: the service endpoints need a port of their own",
      )
  }
  if (env.WEBHOOK_PATH && !env.WEBHOOK_PATH.startsWith("/"))
    errors.push("WEBHOOK_PATH: должен начинаться с / / must start with /")
  if (over(env.TEXT_MIN_LENGTH, env.TEXT_MAX_LENGTH))
    errors.push("TEXT_MIN_LENGTH: больше TEXT_MAX_LENGTH / greater than TEXT_MAX_LENGTH")
  if (over(env.VOICE_MIN_DURATION_SEC, env.VOICE_MAX_DURATION_SEC))
    errors.push("VOICE_MIN_DURATION_SEC: больше VOICE_MAX_DURATION_SEC / greater than VOICE_MAX_DURATION_SEC")
  if (over(env.MAX_REQUESTS_PER_MINUTE, env.MAX_REQUESTS_PER_HOUR))
    errors.push("MAX_REQUESTS_PER_MINUTE: больше MAX_REQUESTS_PER_HOUR / greater than MAX_REQUESTS_PER_HOUR")
  if (over(env.GUEST_MAX_REQUESTS_PER_MINUTE, env.GUEST_MAX_REQUESTS_PER_HOUR))
    errors.push(
      "GUEST_MAX_REQUESTS_PER_MINUTE: больше GUEST_MAX_REQUESTS_PER_HOUR / greater than GUEST_MAX_REQUESTS_PER_HOUR",
    )
  if (env.APSCHEDULER_TIMEZONE && !isValidTimeZone(env.APSCHEDULER_TIMEZONE))
    errors.push(
      `APSCHEDULER_TIMEZONE: «${env.APSCHEDULER_TIMEZONE}» — неизвестный часовой пояс / unknown time zone`,
    )
  if (env.NUDGE_SCHEDULE && !isValidCron(env.NUDGE_SCHEDULE))
    errors.push(`NUDGE_SCHEDULE: «${env.NUDGE_SCHEDULE}» — не расписание cron / not a cron pattern`)
  return errors
}

const isValidCron = (pattern: string): boolean => {
  try {
    new Cron(pattern, { paused: true }).stop()
    return true
  } catch {
    return false
  }
}

const isValidTimeZone = (tz: string): boolean => {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz })
    return true
  } catch {
    return false
  }
}

const shape = (env: Env): AppConfig => ({
  env,
  database: env.DATABASE_URL
    ? {
        kind: "postgres",
        url: Redacted.make(normalizeDatabaseUrl(Redacted.value(env.DATABASE_URL))),
        sslMode: env.DATABASE_SSL_MODE,
        maxConnections: env.DATABASE_MAX_CONNECTIONS,
      }
    : { kind: "pglite", dataDir: env.DATA_DIR },
  mode:
    env.WEBHOOK_ENABLED && env.WEBHOOK_HOST && env.WEBHOOK_SECRET
      ? {
          kind: "webhook",
          url: env.WEBHOOK_HOST + env.WEBHOOK_PATH,
          path: env.WEBHOOK_PATH,
          port: env.WEBHOOK_PORT,
          secret: env.WEBHOOK_SECRET,
        }
      : { kind: "polling" },
  authEnabled: env.AUTH_PASSWORD_USER !== undefined || env.AUTH_PASSWORD_ADMIN !== undefined,
})

/** Reads the whole configuration at once: either a valid config or every problem found, one line each. */
export const parseConfig = (
  source: Record<string, string | undefined>,
): Result.Result<AppConfig, string[]> => {
  const { env, errors } = readAll(source)
  const all = [...errors, ...crossCheck(env, new Set(errors.map((e) => e.slice(0, e.indexOf(":")))))]
  return all.length > 0 ? Result.fail(all) : Result.succeed(shape(env as Env))
}

export const formatConfigErrors = (errors: ReadonlyArray<string>): string =>
  [
    "Ошибка конфигурации / Configuration error:",
    ...errors.map((e) => `  • ${e}`),
    "Задайте переменные окружения или файл .env (образец — .env.example).",
    "Set them in the environment or in a .env file (see .env.example).",
  ].join("\n")

/**
 * The bot's own rule beside the configuration (ops commands need no AI): at least one AI key, blank counting as
 * unset. Read from the raw variables, so it is listed with every other problem even when the rest does not parse.
 */
export const missingAiKey = (source: Record<string, string | undefined>): string[] =>
  source.OPENAI_API_KEY?.trim() || source.GEMINI_API_KEY?.trim()
    ? []
    : [
        "OPENAI_API_KEY, GEMINI_API_KEY: не задан ни один ключ ИИ — нужен хотя бы один / no AI key: set at least one",
      ]
