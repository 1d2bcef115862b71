import { Context, Layer } from "effect"
import type { AppConfig } from "../config/config"
import type { TextLimits, VoiceLimits } from "../core/limits"
import type { Role } from "../core/model"
import type { RateLimits } from "../core/rate-limit"
import { type Burst, makeBurstDetector } from "../lib/burst"
import { makeOwnPasswordCheck, makePasswordChecker } from "../lib/password"

/** Wrong passwords across all users within a minute that make the log warn (ids and counts only). */
export const LOGIN_FAILURE_BURST = { threshold: 20, windowMs: 60_000 } as const

/**
 * Configuration plus facts learnt at start-up (the bot's username, this instance's id), read by the pipeline, and
 * the process's watch over wrong passwords.
 */
export interface SettingsShape {
  readonly config: AppConfig
  readonly botUsername: string
  readonly instanceId: string
  readonly textLimits: TextLimits
  readonly voiceLimits: VoiceLimits
  readonly rateLimits: RateLimits
  /** Stricter limits for whoever has no role yet (auth on), never looser than `rateLimits`: strangers cannot make
   * the bot talk much. */
  readonly guestRateLimits: RateLimits
  /** An admin's: the minute's flood limit, no hourly one (their long sessions of /users, stats, broadcasts). */
  readonly adminRateLimits: RateLimits
  readonly checkPassword: (attempt: string) => Promise<Role | null>
  /** A text that is a password the sender's role already holds (plain configured values only, see password.ts). */
  readonly isOwnPassword: (text: string, role: Role) => boolean
  /** Notes a wrong password (epoch ms, user id); returns the burst when wrong passwords pile up (LOGIN_FAILURE_BURST). */
  readonly noteLoginFailure: (at: number, userId: number) => Burst | null
}

const passwordsOf = (config: AppConfig) => ({
  ...(config.env.AUTH_PASSWORD_USER ? { user: config.env.AUTH_PASSWORD_USER } : {}),
  ...(config.env.AUTH_PASSWORD_ADMIN ? { admin: config.env.AUTH_PASSWORD_ADMIN } : {}),
})

export const makeSettings = (config: AppConfig, botUsername: string, instanceId: string): SettingsShape => ({
  config,
  botUsername,
  instanceId,
  textLimits: {
    min: config.env.TEXT_MIN_LENGTH,
    max: config.env.TEXT_MAX_LENGTH,
    maxLines: config.env.TEXT_MAX_LINES,
  },
  voiceLimits: {
    minSec: config.env.VOICE_MIN_DURATION_SEC,
    maxSec: config.env.VOICE_MAX_DURATION_SEC,
    // Bots can download at most 20 MB through getFile, whatever VOICE_MAX_SIZE_MB says.
    maxBytes: Math.min(config.env.VOICE_MAX_SIZE_MB, 20) * 1_000_000,
  },
  rateLimits: { perMinute: config.env.MAX_REQUESTS_PER_MINUTE, perHour: config.env.MAX_REQUESTS_PER_HOUR },
  // Never looser before sign-in than after it.
  guestRateLimits: {
    perMinute: Math.min(config.env.GUEST_MAX_REQUESTS_PER_MINUTE, config.env.MAX_REQUESTS_PER_MINUTE),
    perHour: Math.min(config.env.GUEST_MAX_REQUESTS_PER_HOUR, config.env.MAX_REQUESTS_PER_HOUR),
  },
  adminRateLimits: { perMinute: config.env.MAX_REQUESTS_PER_MINUTE, perHour: Number.POSITIVE_INFINITY },
  checkPassword: makePasswordChecker(passwordsOf(config)),
  isOwnPassword: makeOwnPasswordCheck(passwordsOf(config)),
  noteLoginFailure: makeBurstDetector(LOGIN_FAILURE_BURST.threshold, LOGIN_FAILURE_BURST.windowMs).note,
})

export class Settings extends Context.Service<Settings, SettingsShape>()("emco/Settings") {
  static readonly layer = (settings: SettingsShape) => Layer.succeed(Settings, settings)
}
