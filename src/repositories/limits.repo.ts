import { type Kysely, type QueryCreator, sql } from "kysely"
import type { Database } from "../../db/schema"
import { jsonText, param } from "./prepared"

type Db = Kysely<Database>

/**
 * user_limits: abuse counters by Telegram user id, apart from everything /forget_me erases (no personal data).
 * The pipeline reads them with the session (one statement) and writes them with the next state (one statement);
 * today's AI calls are counted with each usage row (ai.repo).
 */

/** A sender's counters as stored: the sign-in lockout, the rate windows (undecoded) and an admin's revocation. */
export interface StoredLimits {
  readonly auth: { readonly failures: number; readonly lockedUntil: number | null }
  readonly rate: unknown
  readonly revoked: boolean
}

/** The user_limits columns a load reads (all null for a user without a row). */
export interface LimitsColumns {
  readonly login_failures: number | null
  readonly locked_until: number | string | null
  readonly rate: unknown
  readonly revoked: boolean | null
}

export const limitsOf = (row: LimitsColumns): StoredLimits => ({
  auth: {
    failures: row.login_failures ?? 0,
    lockedUntil: row.locked_until === null ? null : Number(row.locked_until),
  },
  rate: row.rate ?? null,
  revoked: row.revoked ?? false,
})

/** What a sender without a user_limits row has: no failures, no lockout, no windows, not revoked. */
export const NO_LIMITS: StoredLimits = limitsOf({
  login_failures: null,
  locked_until: null,
  rate: null,
  revoked: null,
})

/** The sender's lockout and rate windows to save with a step. */
export interface CountersWrite {
  readonly userId: number
  readonly auth: StoredLimits["auth"]
  readonly rate: unknown
}

/** Parameters of `saveCounters` (four, from its first): all null when nothing is to be written. */
export const countersParams = (w: CountersWrite | undefined) =>
  w ? [w.userId, w.auth.failures, w.auth.lockedUntil, jsonText(w.rate)] : [null, null, null, null]

export type WithSaved = Database & { saved: { chat_id: number } }

/**
 * Upserts the sender's lockout and rate windows from parameters `n`…`n+3` (user id null: nothing); with `afterSave`,
 * only when the statement's `saved` step (the version-checked session write) happened, so a lost race counts nothing.
 */
export const saveCounters = (db: QueryCreator<WithSaved>, n: number, afterSave: boolean) =>
  db
    .insertInto("user_limits")
    .columns(["user_id", "login_failures", "locked_until", "rate"])
    .expression(() => {
      const values = db
        .selectNoFrom([
          param<number>(n, "bigint").as("user_id"),
          param<number>(n + 1, "int4").as("login_failures"),
          param<number | null>(n + 2, "bigint").as("locked_until"),
          param<string>(n + 3, "text::jsonb").as("rate"),
        ])
        .where(param(n, "bigint"), "is not", null)
      return afterSave
        ? values.where(({ exists }) => exists(db.selectFrom("saved").select("saved.chat_id")))
        : values
    })
    .onConflict((oc) =>
      oc.column("user_id").doUpdateSet((eb) => ({
        login_failures: eb.ref("excluded.login_failures"),
        locked_until: eb.ref("excluded.locked_until"),
        rate: eb.ref("excluded.rate"),
        updated_at: sql<Date>`now()`,
      })),
    )

/** Whether the bot has ever heard from this user (any update counts: every sender is rate-limited) or knows a role. */
export const isKnownUser = async (db: Db, userId: number): Promise<boolean> => {
  const row = await db
    .selectNoFrom(({ exists, selectFrom, or }) =>
      or([
        exists(selectFrom("user_limits").select("user_id").where("user_id", "=", userId)),
        exists(selectFrom("authorized_users").select("user_id").where("user_id", "=", userId)),
      ]).as("known"),
    )
    .executeTakeFirstOrThrow()
  return Boolean(row.known)
}

/** Revokes (or restores) the user's sign-in with the shared password; kept by /forget_me. */
export const setRevoked = (db: Db, userId: number, revoked: boolean) =>
  db
    .insertInto("user_limits")
    .values({ user_id: userId, revoked })
    .onConflict((oc) => oc.column("user_id").doUpdateSet({ revoked, updated_at: sql<Date>`now()` }))
    .execute()

/**
 * Counters nobody has touched for two days count nothing any more (the rate windows are an hour at most, the AI day
 * is over, a lockout lasts 15 minutes): their rows go, so strangers who wrote once are not kept. A revocation stays.
 */
export const deleteIdleLimits = (db: Db) =>
  db
    .deleteFrom("user_limits")
    .where("revoked", "=", false)
    .where("updated_at", "<", sql<Date>`now() - interval '2 days'`)
    .execute()
