import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Redacted, Result } from "effect"
import {
  type AppConfig,
  formatConfigErrors,
  missingAiKey,
  normalizeDatabaseUrl,
  parseConfig,
} from "../../src/config/config"
import { environment, parseDotEnv } from "../../src/config/dotenv"

const TOKEN = "123456:AAF-super-secret-token"
const SECRET_16 = "hook_secret-0016"

const ok = (source: Record<string, string | undefined>): AppConfig => {
  const result = parseConfig(source)
  if (Result.isFailure(result)) throw new Error(`expected a valid config, got:\n${result.failure.join("\n")}`)
  return result.success
}

const errorsOf = (source: Record<string, string | undefined>): string[] => {
  const result = parseConfig(source)
  if (Result.isSuccess(result)) throw new Error("expected configuration errors")
  return result.failure
}

/** The error lines that start with `name:`. */
const errorsFor = (errors: ReadonlyArray<string>, name: string): string[] =>
  errors.filter((e) => e.startsWith(`${name}:`))

describe("parseConfig", () => {
  test("only BOT_TOKEN → every default of the original bot", () => {
    const { env } = ok({ BOT_TOKEN: TOKEN })
    expect({
      METRICS_PORT: env.METRICS_PORT,
      WEBHOOK_PATH: env.WEBHOOK_PATH,
      WEBHOOK_PORT: env.WEBHOOK_PORT,
      TEXT_MAX_LENGTH: env.TEXT_MAX_LENGTH,
      TEXT_MIN_LENGTH: env.TEXT_MIN_LENGTH,
      TEXT_MAX_LINES: env.TEXT_MAX_LINES,
      VOICE_MAX_SIZE_MB: env.VOICE_MAX_SIZE_MB,
      VOICE_MAX_DURATION_SEC: env.VOICE_MAX_DURATION_SEC,
      VOICE_MIN_DURATION_SEC: env.VOICE_MIN_DURATION_SEC,
      MAX_REQUESTS_PER_MINUTE: env.MAX_REQUESTS_PER_MINUTE,
      MAX_REQUESTS_PER_HOUR: env.MAX_REQUESTS_PER_HOUR,
      AI_REQUEST_TIMEOUT_SEC: env.AI_REQUEST_TIMEOUT_SEC,
      AI_REQUEST_MAX_RETRIES: env.AI_REQUEST_MAX_RETRIES,
      AI_REQUEST_RETRY_BACKOFF_SEC: env.AI_REQUEST_RETRY_BACKOFF_SEC,
      TRANSCRIBE_TIMEOUT_SEC: env.TRANSCRIBE_TIMEOUT_SEC,
      TRANSCRIBE_MAX_RETRIES: env.TRANSCRIBE_MAX_RETRIES,
      TRANSCRIBE_RETRY_BACKOFF_SEC: env.TRANSCRIBE_RETRY_BACKOFF_SEC,
      APSCHEDULER_TIMEZONE: env.APSCHEDULER_TIMEZONE,
      SENTRY_ENV: env.SENTRY_ENV,
      EXPORT_INTERVAL_SECONDS: env.EXPORT_INTERVAL_SECONDS,
      GSHEETS_ALLOW_CREATE: env.GSHEETS_ALLOW_CREATE,
      SHEETS_EXPORT_ENABLED: env.SHEETS_EXPORT_ENABLED,
      WEBHOOK_ENABLED: env.WEBHOOK_ENABLED,
      SHUTDOWN_TIMEOUT_SEC: env.SHUTDOWN_TIMEOUT_SEC,
      DATA_DIR: env.DATA_DIR,
      TELEGRAM_API_ROOT: env.TELEGRAM_API_ROOT,
      LOG_LEVEL: env.LOG_LEVEL,
      DATABASE_SSL_MODE: env.DATABASE_SSL_MODE,
    }).toEqual({
      METRICS_PORT: 8000,
      WEBHOOK_PATH: "/webhook",
      WEBHOOK_PORT: 8080,
      TEXT_MAX_LENGTH: 12000,
      TEXT_MIN_LENGTH: 1,
      TEXT_MAX_LINES: 50,
      VOICE_MAX_SIZE_MB: 25,
      VOICE_MAX_DURATION_SEC: 300,
      VOICE_MIN_DURATION_SEC: 0.5,
      MAX_REQUESTS_PER_MINUTE: 20,
      MAX_REQUESTS_PER_HOUR: 100,
      AI_REQUEST_TIMEOUT_SEC: 30,
      AI_REQUEST_MAX_RETRIES: 3,
      AI_REQUEST_RETRY_BACKOFF_SEC: 1.5,
      TRANSCRIBE_TIMEOUT_SEC: 25,
      TRANSCRIBE_MAX_RETRIES: 2,
      TRANSCRIBE_RETRY_BACKOFF_SEC: 1,
      APSCHEDULER_TIMEZONE: "Europe/Moscow",
      SENTRY_ENV: "dev",
      EXPORT_INTERVAL_SECONDS: 900,
      GSHEETS_ALLOW_CREATE: true,
      SHEETS_EXPORT_ENABLED: false,
      WEBHOOK_ENABLED: false,
      SHUTDOWN_TIMEOUT_SEC: 30,
      DATA_DIR: "./data",
      TELEGRAM_API_ROOT: "https://api.telegram.org",
      LOG_LEVEL: "info",
      DATABASE_SSL_MODE: "prefer",
    })
  })

  test("only BOT_TOKEN → optional secrets and texts left unset", () => {
    const { env } = ok({ BOT_TOKEN: TOKEN })
    expect([
      env.DATABASE_URL,
      env.AUTH_PASSWORD_USER,
      env.AUTH_PASSWORD_ADMIN,
      env.OPENAI_API_KEY,
      env.OPENAI_BASE_URL,
      env.GEMINI_API_KEY,
      env.WEBHOOK_HOST,
      env.WEBHOOK_SECRET,
      env.SENTRY_DSN,
      env.GSHEETS_SPREADSHEET_ID,
    ]).toEqual(Array(10).fill(undefined))
  })

  test("only BOT_TOKEN → pglite in DATA_DIR, polling, auth disabled", () => {
    const config = ok({ BOT_TOKEN: TOKEN })
    expect([config.database, config.mode, config.authEnabled]).toEqual([
      { kind: "pglite", dataDir: "./data" },
      { kind: "polling" },
      false,
    ])
    expect(Redacted.value(config.env.BOT_TOKEN)).toBe(TOKEN)
  })

  test("no DATABASE_URL and a custom DATA_DIR → pglite in that directory", () => {
    expect(ok({ BOT_TOKEN: TOKEN, DATA_DIR: "/var/lib/emco" }).database).toEqual({
      kind: "pglite",
      dataDir: "/var/lib/emco",
    })
  })

  test("missing BOT_TOKEN, bad METRICS_PORT, webhook without host/secret → all errors at once", () => {
    const errors = errorsOf({ METRICS_PORT: "abc", WEBHOOK_ENABLED: "true" })
    expect(errors).toHaveLength(4)
    for (const name of ["BOT_TOKEN", "METRICS_PORT", "WEBHOOK_HOST", "WEBHOOK_SECRET"])
      expect({ name, count: errorsFor(errors, name).length }).toEqual({ name, count: 1 })
    expect(errorsFor(errors, "METRICS_PORT")[0]).toContain("«abc»")
  })

  test("field errors and cross-field errors → reported together", () => {
    const errors = errorsOf({
      BOT_TOKEN: TOKEN,
      LOG_LEVEL: "verbose",
      TEXT_MIN_LENGTH: "100",
      TEXT_MAX_LENGTH: "10",
      MAX_REQUESTS_PER_MINUTE: "200",
      VOICE_MIN_DURATION_SEC: "60",
      VOICE_MAX_DURATION_SEC: "30",
      WEBHOOK_PATH: "webhook",
      APSCHEDULER_TIMEZONE: "Mars/Olympus",
    })
    expect(errors.map((e) => e.split(":")[0])).toEqual([
      "LOG_LEVEL",
      "WEBHOOK_PATH",
      "TEXT_MIN_LENGTH",
      "VOICE_MIN_DURATION_SEC",
      "MAX_REQUESTS_PER_MINUTE",
      "APSCHEDULER_TIMEZONE",
    ])
  })

  test("out-of-range and non-integer numbers → rejected with the variable name", () => {
    const errors = errorsOf({
      BOT_TOKEN: TOKEN,
      METRICS_PORT: "70000",
      WEBHOOK_PORT: "-1",
      TEXT_MAX_LENGTH: "1.5",
      VOICE_MAX_SIZE_MB: "Infinity",
      AI_REQUEST_MAX_RETRIES: "11",
      SHUTDOWN_TIMEOUT_SEC: "0",
    })
    expect(errors.map((e) => e.split(":")[0]).sort()).toEqual([
      "AI_REQUEST_MAX_RETRIES",
      "METRICS_PORT",
      "SHUTDOWN_TIMEOUT_SEC",
      "TEXT_MAX_LENGTH",
      "VOICE_MAX_SIZE_MB",
      "WEBHOOK_PORT",
    ])
  })

  test("numbers with surrounding spaces and fractions where allowed → parsed", () => {
    const { env } = ok({
      BOT_TOKEN: TOKEN,
      METRICS_PORT: " 9100 ",
      AI_REQUEST_RETRY_BACKOFF_SEC: "0.25",
      VOICE_MIN_DURATION_SEC: "0",
      TEXT_MAX_LENGTH: "4096",
    })
    expect([
      env.METRICS_PORT,
      env.AI_REQUEST_RETRY_BACKOFF_SEC,
      env.VOICE_MIN_DURATION_SEC,
      env.TEXT_MAX_LENGTH,
    ]).toEqual([9100, 0.25, 0, 4096])
  })

  test("formatConfigErrors → Russian and English headers, one bullet per error, names BOT_TOKEN", () => {
    const errors = errorsOf({ METRICS_PORT: "abc" })
    const text = formatConfigErrors(errors)
    const lines = text.split("\n")
    expect(lines[0]).toBe("Ошибка конфигурации / Configuration error:")
    expect(lines.filter((l) => l.startsWith("  • "))).toHaveLength(errors.length)
    expect(text).toContain("BOT_TOKEN")
    expect(text).toContain("METRICS_PORT")
    const cyrillic = (l: string) => (l.match(/[а-яё]/gi) ?? []).length
    const latin = (l: string) => (l.match(/[a-z]/gi) ?? []).length
    // a Russian-only line (the hint) and an English-only line (its translation) besides the bilingual header
    expect(lines.some((l) => cyrillic(l) > 20 && cyrillic(l) > 3 * latin(l) && !l.includes(" / "))).toBe(true)
    expect(lines.some((l) => cyrillic(l) === 0 && latin(l) > 20 && !l.includes(" / "))).toBe(true)
  })

  test("postgresql+asyncpg:// URL → postgres kind with a postgres:// URL, default SSL mode", () => {
    const config = ok({ BOT_TOKEN: TOKEN, DATABASE_URL: "postgresql+asyncpg://u:p@h:5432/db" })
    expect(config.database.kind).toBe("postgres")
    if (config.database.kind !== "postgres") throw new Error("unreachable")
    expect([Redacted.value(config.database.url), config.database.sslMode]).toEqual([
      "postgres://u:p@h:5432/db",
      "prefer",
    ])
  })

  test("DATABASE_SSL_MODE → passed to the postgres shape; unknown values rejected", () => {
    const config = ok({ BOT_TOKEN: TOKEN, DATABASE_URL: "postgres://h/db", DATABASE_SSL_MODE: "require" })
    expect(config.database.kind === "postgres" ? config.database.sslMode : null).toBe("require")
    expect(
      errorsFor(errorsOf({ BOT_TOKEN: TOKEN, DATABASE_SSL_MODE: "always" }), "DATABASE_SSL_MODE"),
    ).toHaveLength(1)
  })

  test("normalizeDatabaseUrl → every postgres scheme becomes postgres://", () => {
    expect(
      [
        "postgresql+asyncpg://u:p@h:5432/db",
        "postgresql://u@h/db",
        "postgres://u@h/db",
        "POSTGRESQL+PSYCOPG://u@h/db",
        "postgres+asyncpg://u@h/db",
      ].map(normalizeDatabaseUrl),
    ).toEqual([
      "postgres://u:p@h:5432/db",
      "postgres://u@h/db",
      "postgres://u@h/db",
      "postgres://u@h/db",
      "postgres://u@h/db",
    ])
  })

  test("webhook enabled with host and secret → webhook mode, url = host + path", () => {
    const config = ok({
      BOT_TOKEN: TOKEN,
      WEBHOOK_ENABLED: "true",
      WEBHOOK_HOST: "https://bot.example.ru/",
      WEBHOOK_SECRET: "s3cr3t_-X-0123456789",
      WEBHOOK_PORT: "8443",
    })
    expect(config.mode.kind).toBe("webhook")
    if (config.mode.kind !== "webhook") throw new Error("unreachable")
    const { secret, ...rest } = config.mode
    expect([rest, Redacted.value(secret)]).toEqual([
      { kind: "webhook", url: "https://bot.example.ru/webhook", path: "/webhook", port: 8443 },
      "s3cr3t_-X-0123456789",
    ])
  })

  test("webhook with a custom path → the path is appended to the host", () => {
    const config = ok({
      BOT_TOKEN: TOKEN,
      WEBHOOK_ENABLED: "yes",
      WEBHOOK_HOST: "https://bot.example.ru",
      WEBHOOK_PATH: "/tg/hook",
      WEBHOOK_SECRET: SECRET_16,
    })
    expect(config.mode.kind === "webhook" ? [config.mode.url, config.mode.path] : []).toEqual([
      "https://bot.example.ru/tg/hook",
      "/tg/hook",
    ])
  })

  test("webhook host and secret but WEBHOOK_ENABLED unset → polling", () => {
    expect(
      ok({ BOT_TOKEN: TOKEN, WEBHOOK_HOST: "https://bot.example.ru", WEBHOOK_SECRET: SECRET_16 }).mode,
    ).toEqual({
      kind: "polling",
    })
  })

  for (const secret of ["has space", "semi;colon", "кириллица", "a".repeat(257)]) {
    test(`WEBHOOK_SECRET ${JSON.stringify(secret.slice(0, 12))} (${secret.length} chars) → rejected`, () => {
      const errors = errorsOf({
        BOT_TOKEN: TOKEN,
        WEBHOOK_ENABLED: "true",
        WEBHOOK_HOST: "https://bot.example.ru",
        WEBHOOK_SECRET: secret,
      })
      expect(errors.map((e) => e.split(":")[0])).toEqual(["WEBHOOK_SECRET"])
    })
  }

  for (const enabled of ["true", "false"]) {
    test(`WEBHOOK_SECRET of 15 characters (WEBHOOK_ENABLED=${enabled}) → refused with a bilingual message that does not quote it`, () => {
      const secret = "fifteen_chars_x"
      expect(secret).toHaveLength(15)
      const errors = errorsOf({
        BOT_TOKEN: TOKEN,
        WEBHOOK_ENABLED: enabled,
        WEBHOOK_HOST: "https://bot.example.ru",
        WEBHOOK_SECRET: secret,
      })
      expect(errors).toEqual([
        "WEBHOOK_SECRET: нужно 16–256 символов A-Z a-z 0-9 _ - / must be 16–256 chars of A-Z a-z 0-9 _ -",
      ])
      expect(formatConfigErrors(errors)).not.toContain(secret)
    })
  }

  test("WEBHOOK_SECRET of exactly 16 characters → accepted", () => {
    expect(SECRET_16).toHaveLength(16)
    const config = ok({
      BOT_TOKEN: TOKEN,
      WEBHOOK_ENABLED: "true",
      WEBHOOK_HOST: "https://bot.example.ru",
      WEBHOOK_SECRET: SECRET_16,
    })
    expect(config.mode.kind).toBe("webhook")
  })

  test("WEBHOOK_SECRET of 256 allowed characters → accepted", () => {
    const secret = `${"Aa0_-".repeat(51)}Z`
    expect(secret).toHaveLength(256)
    const config = ok({
      BOT_TOKEN: TOKEN,
      WEBHOOK_ENABLED: "1",
      WEBHOOK_HOST: "https://bot.example.ru",
      WEBHOOK_SECRET: secret,
    })
    expect(config.mode.kind).toBe("webhook")
  })

  test("WEBHOOK_HOST that is not http(s) → rejected", () => {
    const errors = errorsOf({
      BOT_TOKEN: TOKEN,
      WEBHOOK_ENABLED: "true",
      WEBHOOK_HOST: "bot.example.ru",
      WEBHOOK_SECRET: SECRET_16,
    })
    // Said once: what is wrong with it, not also that it is missing.
    expect(errors.map((e) => e.split(":")[0])).toEqual(["WEBHOOK_HOST"])
  })

  test("WEBHOOK_PORT equal to METRICS_PORT with the webhook on → rejected (polling leaves the webhook port unused)", () => {
    const webhook = { BOT_TOKEN: TOKEN, WEBHOOK_HOST: "https://bot.example.ru", WEBHOOK_SECRET: SECRET_16 }
    const same = { WEBHOOK_PORT: "9000", METRICS_PORT: "9000" }
    expect(errorsOf({ ...webhook, ...same, WEBHOOK_ENABLED: "true" }).map((e) => e.split(":")[0])).toEqual([
      "WEBHOOK_PORT",
    ])
    expect(ok({ ...webhook, ...same, WEBHOOK_ENABLED: "false" }).env.METRICS_PORT).toBe(9000)
  })

  test("a password that starts like a hash but is broken, and a SENTRY_DSN that is not one → rejected, unquoted", () => {
    const broken = "$2b$10$tooshort"
    const dsn = "https://abcdef0123456789SECRETKEY@o1.ingest.sentry.io"
    const errors = errorsOf({ BOT_TOKEN: TOKEN, AUTH_PASSWORD_ADMIN: broken, SENTRY_DSN: dsn })
    expect(errors.map((e) => e.split(":")[0])).toEqual(["AUTH_PASSWORD_ADMIN", "SENTRY_DSN"])
    expect(errors.join("\n")).not.toContain("tooshort")
    expect(errors.join("\n")).not.toContain("SECRETKEY")
    expect(
      ok({ BOT_TOKEN: TOKEN, SENTRY_DSN: "https://abc123@o1.ingest.sentry.io/42" }).env.SENTRY_DSN,
    ).toBeDefined()
  })

  test("DATABASE_URL that is not a PostgreSQL URL (another database, not a URL) → rejected, unquoted", () => {
    for (const url of ["mysql://bot:s3cret@db:3306/emco", "not a url s3cret"]) {
      const errors = errorsOf({ BOT_TOKEN: TOKEN, DATABASE_URL: url })
      expect(errors.map((e) => e.split(":")[0])).toEqual(["DATABASE_URL"])
      expect(errors.join("\n")).not.toContain("s3cret")
    }
    expect(ok({ BOT_TOKEN: TOKEN, DATABASE_URL: "postgresql+asyncpg://u:p@h/d" }).database.kind).toBe(
      "postgres",
    )
  })

  test("no AI key → listed beside the other problems (the raw variables, whatever else fails)", () => {
    expect(missingAiKey({ BOT_TOKEN: "" }).map((e) => e.split(":")[0])).toEqual([
      "OPENAI_API_KEY, GEMINI_API_KEY",
    ])
    expect(missingAiKey({ GEMINI_API_KEY: "g" })).toEqual([])
    expect(missingAiKey({ OPENAI_API_KEY: "   " })).toHaveLength(1)
  })

  test("TELEGRAM_API_ROOT with a trailing slash → slash removed; ftp:// → rejected", () => {
    expect(ok({ BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: "http://localhost:8081//" }).env.TELEGRAM_API_ROOT).toBe(
      "http://localhost:8081",
    )
    expect(errorsOf({ BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: "ftp://x" }).map((e) => e.split(":")[0])).toEqual([
      "TELEGRAM_API_ROOT",
    ])
  })

  for (const raw of ["true", "1", "yes", "on", "TRUE", " Yes "]) {
    test(`boolean ${JSON.stringify(raw)} → true`, () => {
      expect(ok({ BOT_TOKEN: TOKEN, SHEETS_EXPORT_ENABLED: raw }).env.SHEETS_EXPORT_ENABLED).toBe(true)
    })
  }

  for (const raw of ["false", "0", "no", "off", "False"]) {
    test(`boolean ${JSON.stringify(raw)} → false`, () => {
      expect(ok({ BOT_TOKEN: TOKEN, GSHEETS_ALLOW_CREATE: raw }).env.GSHEETS_ALLOW_CREATE).toBe(false)
    })
  }

  test('boolean "maybe" → rejected, the message quotes the value', () => {
    const errors = errorsOf({ BOT_TOKEN: TOKEN, SHEETS_EXPORT_ENABLED: "maybe" })
    expect(errors).toHaveLength(1)
    expect(errors[0]).toStartWith("SHEETS_EXPORT_ENABLED: «maybe»")
  })

  test("empty and whitespace-only variables → treated as unset (defaults apply)", () => {
    const config = ok({
      BOT_TOKEN: TOKEN,
      METRICS_PORT: "",
      WEBHOOK_ENABLED: "  ",
      DATABASE_URL: "",
      AUTH_PASSWORD_USER: "",
      AUTH_PASSWORD_ADMIN: " ",
      LOG_LEVEL: "",
    })
    expect([
      config.env.METRICS_PORT,
      config.env.WEBHOOK_ENABLED,
      config.env.LOG_LEVEL,
      config.database,
      config.authEnabled,
    ]).toEqual([8000, false, "info", { kind: "pglite", dataDir: "./data" }, false])
  })

  test("empty BOT_TOKEN → the missing-token error", () => {
    expect(errorsOf({ BOT_TOKEN: "   " }).map((e) => e.split(":")[0])).toEqual(["BOT_TOKEN"])
  })

  test("a user or an admin password → auth enabled", () => {
    expect([
      ok({ BOT_TOKEN: TOKEN, AUTH_PASSWORD_USER: "user-pass" }).authEnabled,
      ok({ BOT_TOKEN: TOKEN, AUTH_PASSWORD_ADMIN: "admin-pass" }).authEnabled,
    ]).toEqual([true, true])
  })

  for (const name of ["AUTH_PASSWORD_USER", "AUTH_PASSWORD_ADMIN"]) {
    test(`${name} in plain text under 8 characters → refused, without quoting it`, () => {
      const errors = errorsOf({ BOT_TOKEN: TOKEN, [name]: "pass123" })
      expect(errors).toEqual([
        `${name}: слишком короткий пароль — нужно не меньше 8 символов (или argon2/bcrypt-хеш) / too short: at least 8 characters (or an argon2/bcrypt hash)`,
      ])
      expect(formatConfigErrors(errors)).not.toContain("pass123")
    })

    test(`${name} of 8 characters, or an argon2/bcrypt hash → accepted`, async () => {
      const argon2 = await Bun.password.hash("1")
      const bcrypt = await Bun.password.hash("1", { algorithm: "bcrypt", cost: 4 })
      for (const value of ["pass1234", "пароль12", argon2, bcrypt])
        expect(ok({ BOT_TOKEN: TOKEN, [name]: value }).authEnabled).toBe(true)
    })
  }

  test("GUEST_MAX_REQUESTS_PER_MINUTE over GUEST_MAX_REQUESTS_PER_HOUR → refused; defaults 15 and 30", () => {
    expect(
      errorsOf({ BOT_TOKEN: TOKEN, GUEST_MAX_REQUESTS_PER_MINUTE: "40" }).map((e) => e.split(":")[0]),
    ).toEqual(["GUEST_MAX_REQUESTS_PER_MINUTE"])
    const { env } = ok({ BOT_TOKEN: TOKEN })
    expect([env.GUEST_MAX_REQUESTS_PER_MINUTE, env.GUEST_MAX_REQUESTS_PER_HOUR]).toEqual([15, 30])
  })

  test("secrets → never in JSON.stringify, String or Bun.inspect of the config", () => {
    const config = ok({
      BOT_TOKEN: TOKEN,
      DATABASE_URL: "postgres://user:db-pass-123@h/db",
      AUTH_PASSWORD_USER: "user-pass-456",
      AUTH_PASSWORD_ADMIN: "admin-pass-789",
      WEBHOOK_ENABLED: "true",
      WEBHOOK_HOST: "https://bot.example.ru",
      WEBHOOK_SECRET: "hook-secret-000-abc",
    })
    const dumps = [
      JSON.stringify(config),
      JSON.stringify(config.env),
      String(config.env.BOT_TOKEN),
      `${config.env.AUTH_PASSWORD_USER}`,
      Bun.inspect(config),
    ]
    for (const secret of [TOKEN, "db-pass-123", "user-pass-456", "admin-pass-789", "hook-secret-000-abc"])
      for (const dump of dumps) expect(dump).not.toContain(secret)
    expect(JSON.stringify(config.env)).toContain('"BOT_TOKEN":"<redacted>"')
  })

  test("trimmed secrets → surrounding spaces removed", () => {
    expect(Redacted.value(ok({ BOT_TOKEN: `  ${TOKEN}\n` }).env.BOT_TOKEN)).toBe(TOKEN)
  })
})

describe("parseDotEnv", () => {
  test("an argon2 hash with $ signs → kept verbatim, quoted or not (no variable expansion)", () => {
    const hash = "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA"
    expect(parseDotEnv(`AUTH_PASSWORD_ADMIN='${hash}'\nAUTH_PASSWORD_USER=${hash}`)).toEqual({
      AUTH_PASSWORD_ADMIN: hash,
      AUTH_PASSWORD_USER: hash,
    })
  })

  test("KEY=VALUE lines with quotes, export, comments and inline comments → the values", () => {
    const text = [
      "# a comment",
      "",
      "BOT_TOKEN=123:abc",
      "export LOG_LEVEL=debug",
      'DOUBLE="two words"',
      "SINGLE='it # is not a comment'",
      "INLINE=value # trailing comment",
      "HASH_IN_VALUE=a#b",
      'MULTILINE="line1\\nline2"',
      "LITERAL='line1\\nline2'",
      "  SPACED  =  padded value  ",
      "EMPTY=",
      "   # indented comment",
      "not a variable line",
      "1BAD=x",
      "lower_case=ok",
    ].join("\n")
    expect(parseDotEnv(text)).toEqual({
      BOT_TOKEN: "123:abc",
      LOG_LEVEL: "debug",
      DOUBLE: "two words",
      SINGLE: "it # is not a comment",
      INLINE: "value",
      HASH_IN_VALUE: "a#b",
      MULTILINE: "line1\nline2",
      LITERAL: "line1\\nline2",
      SPACED: "padded value",
      EMPTY: "",
      lower_case: "ok",
    })
  })

  test("CRLF line endings → no carriage returns in values", () => {
    expect(parseDotEnv("A=1\r\nB=two\r\n")).toEqual({ A: "1", B: "two" })
  })

  test("a repeated key → the last one wins", () => {
    expect(parseDotEnv("A=1\nA=2")).toEqual({ A: "2" })
  })

  test("values containing = → kept whole", () => {
    expect(parseDotEnv("URL=postgres://u:p@h/db?sslmode=require")).toEqual({
      URL: "postgres://u:p@h/db?sslmode=require",
    })
  })

  // Bug: a quoted value followed by an inline comment keeps its quotes (`"secret"`), because the quote pattern must
  // match the whole rest of the line. Marked failing until src/config/dotenv.ts strips the comment first.
  test("quoted value with an inline comment → the value without quotes or comment", () => {
    expect(parseDotEnv('AUTH_PASSWORD_USER="secret" # for the pilot')).toEqual({
      AUTH_PASSWORD_USER: "secret",
    })
  })
})

describe("environment", () => {
  let dir = ""
  let envPath = ""

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "emco-dotenv-"))
    envPath = join(dir, ".env")
    writeFileSync(envPath, "BOT_TOKEN=from-file\nLOG_LEVEL=debug\nDATA_DIR=/file/data\n")
  })

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true })
  })

  test("real variables and a .env file → real ones win, missing ones are filled from the file", () => {
    expect(environment({ BOT_TOKEN: "from-env", METRICS_PORT: "9000" }, envPath)).toEqual({
      BOT_TOKEN: "from-env",
      METRICS_PORT: "9000",
      LOG_LEVEL: "debug",
      DATA_DIR: "/file/data",
    })
  })

  test("a real variable that is undefined → filled from the file", () => {
    expect(environment({ BOT_TOKEN: undefined }, envPath)).toEqual({
      BOT_TOKEN: "from-file",
      LOG_LEVEL: "debug",
      DATA_DIR: "/file/data",
    })
  })

  test("a real variable set but empty (docker compose passing an unset variable through) → filled from the file", () => {
    expect(environment({ BOT_TOKEN: "", METRICS_PORT: "" }, envPath)).toEqual({
      BOT_TOKEN: "from-file",
      LOG_LEVEL: "debug",
      DATA_DIR: "/file/data",
    })
  })

  test("EMCO_SKIP_DOTENV=1 → the file is ignored", () => {
    const real = { EMCO_SKIP_DOTENV: "1", METRICS_PORT: "9000" }
    expect(environment(real, envPath)).toEqual({ EMCO_SKIP_DOTENV: "1", METRICS_PORT: "9000" })
  })

  test("EMCO_SKIP_DOTENV other than 1 → the file is read", () => {
    expect(environment({ EMCO_SKIP_DOTENV: "0" }, envPath).BOT_TOKEN).toBe("from-file")
  })

  test("no file at the path → the real environment as is", () => {
    const real = { BOT_TOKEN: "from-env" }
    expect(environment(real, join(dir, "missing.env"))).toEqual({ BOT_TOKEN: "from-env" })
  })

  test("environment then parseConfig → a valid config built from both sources", () => {
    const config = ok(environment({ METRICS_PORT: "9000" }, envPath))
    expect([Redacted.value(config.env.BOT_TOKEN), config.env.LOG_LEVEL, config.env.METRICS_PORT]).toEqual([
      "from-file",
      "debug",
      9000,
    ])
  })
})
