import { type Kysely, sql } from "kysely"
import type { Database } from "../../db/schema"

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
