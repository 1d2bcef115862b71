import { Redacted } from "effect"
import { isPasswordHash } from "../lib/password"

// Telegram allows 1–256 of these characters; anything under 16 is guessable enough to forge updates.
const WEBHOOK_SECRET_PATTERN = /^[A-Za-z0-9_-]{16,256}$/
const MIN_PASSWORD_LENGTH = 8

// What Bun.password.verify takes: a PHC argon2 string, or a bcrypt one (cost, then 53 characters of salt and hash).
const ARGON2_HASH = /^\$argon2(id|i|d)\$v=\d+\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/
const BCRYPT_HASH = /^\$2[abxy]\$\d{2}\$[./A-Za-z0-9]{53}$/
// scheme://key[:secret]@host[/path]/project-id, as Sentry prints it.
const SENTRY_DSN = /^https?:\/\/[^:@/\s]+(:[^@/\s]*)?@[^/\s]+\/([^\s]*\/)?\d+$/

/** The secrets checked here, as parsed (each absent when unset). */
export interface Secrets {
  readonly WEBHOOK_SECRET?: Redacted.Redacted<string>
  readonly AUTH_PASSWORD_USER?: Redacted.Redacted<string>
  readonly AUTH_PASSWORD_ADMIN?: Redacted.Redacted<string>
  readonly SENTRY_DSN?: Redacted.Redacted<string>
  readonly DATABASE_URL?: Redacted.Redacted<string>
}

// postgres://, postgresql:// and the original's SQLAlchemy forms (postgresql+asyncpg://).
const isPostgresUrl = (value: string) => {
  try {
    const url = new URL(value)
    return /^postgres(ql)?(\+[a-z0-9]+)?:$/i.test(url.protocol)
  } catch {
    return false
  }
}

/** Secrets too weak, or too broken, to run with. Never quotes a value: only what is wrong with it. */

export const secretProblems = (env: Secrets): string[] => {
  const errors: string[] = []
  if (env.WEBHOOK_SECRET && !WEBHOOK_SECRET_PATTERN.test(Redacted.value(env.WEBHOOK_SECRET)))
    errors.push(
      "WEBHOOK_SECRET: нужно 16–256 символов A-Z a-z 0-9 _ - / must be 16–256 chars of A-Z a-z 0-9 _ -",
    )
  for (const name of ["AUTH_PASSWORD_USER", "AUTH_PASSWORD_ADMIN"] as const) {
    const value = env[name] && Redacted.value(env[name])
    if (value && !isPasswordHash(value) && [...value].length < MIN_PASSWORD_LENGTH)
      errors.push(
        `${name}: слишком короткий пароль — нужно не меньше ${MIN_PASSWORD_LENGTH} символов (или argon2/bcrypt-хеш) / too short: at least ${MIN_PASSWORD_LENGTH} characters (or an argon2/bcrypt hash)`,
      )
    // A value that starts like a hash is verified as one: a broken one would silently match no password at all.
    if (value && isPasswordHash(value) && !ARGON2_HASH.test(value) && !BCRYPT_HASH.test(value))
      errors.push(
        `${name}: похоже на хеш argon2/bcrypt, но он неполный или испорчен — с ним не войти никому; сгенерируй заново (\`bun -e "console.log(await Bun.password.hash('пароль'))"\`) / looks like an argon2/bcrypt hash but is broken: no password would ever match`,
      )
  }
  if (env.DATABASE_URL && !isPostgresUrl(Redacted.value(env.DATABASE_URL)))
    errors.push(
      "DATABASE_URL: нужен адрес PostgreSQL вида postgres://пользователь:пароль@хост:5432/база (другие базы бот не поддерживает) / must be a PostgreSQL URL: postgres://user:password@host:5432/db",
    )
  if (env.SENTRY_DSN && !SENTRY_DSN.test(Redacted.value(env.SENTRY_DSN)))
    errors.push(
      "SENTRY_DSN: это не DSN Sentry (нужен вид https://ключ@хост/номер-проекта, как в настройках проекта Sentry) / not a Sentry DSN (https://key@host/project-id)",
    )
  return errors
}
