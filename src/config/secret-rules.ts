import { Redacted } from "effect"
import { isPasswordHash } from "../lib/password"

// Telegram allows 1–256 of these characters; anything under 16 is guessable enough to forge updates.
const WEBHOOK_SECRET_PATTERN = /^[A-Za-z0-9_-]{16,256}$/
const MIN_PASSWORD_LENGTH = 8

/** Secrets too weak to run with. Never quotes a value: only what is wrong with it. */
/** The secrets checked here, as parsed (each absent when unset). */
export interface Secrets {
  readonly WEBHOOK_SECRET?: Redacted.Redacted<string>
  readonly AUTH_PASSWORD_USER?: Redacted.Redacted<string>
  readonly AUTH_PASSWORD_ADMIN?: Redacted.Redacted<string>
}

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
  }
  return errors
}
