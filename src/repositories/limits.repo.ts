import { type Kysely, type QueryCreator, sql } from "kysely"
import type { Database } from "../../db/schema"
import { jsonText, param, prepared } from "./prepared"

type Db = Kysely<Database>

/**
 * user_limits: abuse counters by Telegram user id, apart from everything /forget_me erases (no personal data).
 * The pipeline reads them with the session (one statement) and writes them with the next state (one statement).
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

/** The sender's lockout and rate windows to save with a step. */
export interface CountersWrite {
  readonly userId: number
  readonly auth: StoredLimits["auth"]
  readonly rate: unknown
}

/** Parameters of `saveCounters` (four, from its first): all null when nothing is to be written. */
export const countersParams = (w: CountersWrite | undefined) =>
  w ? [w.userId, w.auth.failures, w.auth.lockedUntil, jsonText(w.rate)] : [null, null, null, null]

type WithSaved = Database & { saved: { chat_id: number } }

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

/** A known user's name as Telegram shows it now, when it differs from the stored one. */
export interface ProfileWrite {
  readonly userId: number
  readonly username: string | null
  readonly firstName: string
}

/** Parameters of `refreshProfile` and `releaseUsername` (three, from their first). */
export const profileParams = (p: ProfileWrite | undefined) =>
  p ? [p.userId, p.username, p.firstName] : [null, null, null]

/** Stores the user's current @username and first name (parameters `n`…`n+2`; user id null: nothing). */
export const refreshProfile = (db: QueryCreator<WithSaved>, n: number) =>
  db
    .updateTable("authorized_users")
    .set({ username: param(n + 1, "text"), first_name: param(n + 2, "text") })
    .where("user_id", "=", param<number>(n, "bigint"))

/**
 * A username belongs to one account at a time: whoever else still has it stored had it before and lost it. The
 * test of the parameter alone comes first: a plan checks it once, and without a rename scans nothing.
 */
export const releaseUsername = (db: QueryCreator<WithSaved>, n: number) =>
  db
    .updateTable("authorized_users")
    .set({ username: sql<null>`null` })
    .where(param(n + 1, "text"), "is not", null)
    .where(sql<string>`lower(username)`, "=", sql<string>`lower(${param(n + 1, "text")})`)
    .where("user_id", "<>", param<number>(n, "bigint"))

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

// $1 user, $2 time zone.
const aiCallsTodayStatement = prepared((db) =>
  db
    .selectFrom("user_limits")
    .select("ai_calls")
    .where("user_id", "=", param<number>(1))
    .where("ai_day", "=", sql<string>`(now() at time zone ${param(2, "text")})::date`),
)

/** Upstream AI calls the user caused since the start of the current day in `timeZone` (the daily budget). */
export const aiCallsToday = async (db: Db, userId: number, timeZone: string): Promise<number> => {
  const [row] = await aiCallsTodayStatement(db, [userId, timeZone])
  return row?.ai_calls ?? 0
}

/** Counts one upstream AI call of the user in parameter `user` (null: nobody's) on the day of time zone `zone`. */
export const countAiCall = (db: QueryCreator<Database>, user: number, zone: number) =>
  db
    .insertInto("user_limits")
    .columns(["user_id", "ai_day", "ai_calls"])
    .expression(
      db
        .selectNoFrom([
          param<number>(user, "bigint").as("user_id"),
          sql<string>`(now() at time zone ${param(zone, "text")})::date`.as("ai_day"),
          sql<number>`1`.as("ai_calls"),
        ])
        .where(param(user, "bigint"), "is not", null),
    )
    .onConflict((oc) =>
      oc.column("user_id").doUpdateSet((eb) => ({
        ai_calls: sql<number>`case when ${eb.ref("user_limits.ai_day")} = ${eb.ref("excluded.ai_day")}
          then ${eb.ref("user_limits.ai_calls")} + 1 else 1 end`,
        ai_day: eb.ref("excluded.ai_day"),
      })),
    )
