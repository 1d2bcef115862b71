import { type Kysely, type QueryCreator, sql } from "kysely"
import type { Database } from "../../db/schema"
import type { WithSaved } from "../repositories/limits.repo"
import { param } from "../repositories/prepared"

type Db = Kysely<Database>

export const findUser = (db: Db, userId: number) =>
  db.selectFrom("authorized_users").selectAll().where("user_id", "=", userId).executeTakeFirst()

/**
 * Grants a role; `created_at` keeps the first sign-in like the original table did. The username moves to this user:
 * whoever else still has it stored gave it up since (see resolveUser).
 */
export const upsertRole = (
  db: Db,
  user: { userId: number; role: "user" | "admin"; firstName: string; username: string | null },
) =>
  db
    .with("released", (q) =>
      q
        .updateTable("authorized_users")
        .set({ username: null })
        .where(sql<string>`lower(username)`, "=", (user.username ?? "").toLowerCase())
        .where("user_id", "<>", user.userId),
    )
    .insertInto("authorized_users")
    .values({
      user_id: user.userId,
      role: user.role,
      first_name: user.firstName,
      username: user.username,
      last_seen_at: sql<Date>`now()`,
    })
    .onConflict((oc) =>
      oc.column("user_id").doUpdateSet({
        role: user.role,
        first_name: user.firstName,
        username: user.username,
        last_seen_at: sql<Date>`now()`,
      }),
    )
    .execute()

export const deleteRole = (db: Db, userId: number) =>
  db.deleteFrom("authorized_users").where("user_id", "=", userId).execute()

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
