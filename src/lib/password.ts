import { createHash, timingSafeEqual } from "node:crypto"
import { Redacted } from "effect"
import type { Role } from "../core/model"

const HASH_PREFIX = /^\$(argon2(id|i|d)|2[abxy])\$/

/** A configured password that is an argon2/bcrypt hash (verified as one) rather than the password itself. */
export const isPasswordHash = (value: string): boolean => HASH_PREFIX.test(value)

const sameText = (a: string, b: string): boolean =>
  // Digests have equal length, so the comparison time does not depend on where the strings differ.
  timingSafeEqual(createHash("sha256").update(a).digest(), createHash("sha256").update(b).digest())

const matches = async (attempt: string, secret: Redacted.Redacted<string> | undefined): Promise<boolean> => {
  if (secret === undefined) return false
  const expected = Redacted.value(secret)
  if (isPasswordHash(expected)) return Bun.password.verify(attempt, expected).catch(() => false)
  return sameText(attempt, expected)
}

/**
 * Which role a typed password grants. A configured value that looks like an argon2/bcrypt hash is verified as
 * one; a plain value is compared in constant time. Admin wins when both passwords are the same.
 */
export const makePasswordChecker =
  (passwords: { readonly user?: Redacted.Redacted<string>; readonly admin?: Redacted.Redacted<string> }) =>
  async (attempt: string): Promise<Role | null> => {
    const [admin, user] = await Promise.all([
      matches(attempt, passwords.admin),
      matches(attempt, passwords.user),
    ])
    return admin ? "admin" : user ? "user" : null
  }

/**
 * Whether `text` is a password the sender's role already holds (an admin's either one, a user's the user one), typed
 * again outside the prompt: erasing it tells the sender nothing new. Only plain configured values are compared; an
 * argon2/bcrypt hash would cost its verification on every message.
 */
export const makeOwnPasswordCheck =
  (passwords: { readonly user?: Redacted.Redacted<string>; readonly admin?: Redacted.Redacted<string> }) =>
  (text: string, role: Role): boolean =>
    (role === "admin" ? [passwords.admin, passwords.user] : [passwords.user]).some((secret) => {
      const expected = secret === undefined ? undefined : Redacted.value(secret)
      return expected !== undefined && !isPasswordHash(expected) && sameText(text, expected)
    })
