import { type Kysely, type RawBuilder, sql } from "kysely"
import type { Database } from "../../db/schema"

type Db = Kysely<Database>

const count = async (db: Db, query: RawBuilder<unknown>) => {
  const { rows } = await sql<{
    n: string | number
  }>`with d as (${query}) select count(*) as n from d`.execute(db)
  return Number(rows[0]?.n ?? 0)
}

/** Deletes the rows of `who` (or everybody's) from each table (table → its user id column), in one transaction. */
export const deleteRows = (db: Db, tables: Readonly<Record<string, string>>, who: number | "all") =>
  db.transaction().execute(async (trx) => {
    const out: [string, number][] = []
    for (const [table, column] of Object.entries(tables)) {
      const where = who === "all" ? sql`` : sql`where ${sql.ref(column)} = ${who}`
      out.push([table, await count(trx, sql`delete from ${sql.table(table)} ${where} returning 1`)])
    }
    return out
  })

export const roleOf = (db: Db, userId: number) =>
  db.selectFrom("authorized_users").select("role").where("user_id", "=", userId).executeTakeFirst()

/** Everything `--show` prints about one user, a query per line. */
export const userQueries = (id: number) => ({
  user: sql`select * from authorized_users where user_id = ${id}`,
  stats: sql`select case_id, stat, cnt from case_stats where user_id = ${id} order by case_id, stat desc`,
  attempts: sql`select case_id, count(*) as n from case_attempts where user_id = ${id} group by case_id order by case_id`,
  invite: sql`select sent_at from rating_invites where user_id = ${id}`,
  ratings: sql`select question, rating from bot_ratings where user_id = ${id} order by question`,
  session: sql`select version from chat_sessions where chat_id = ${id}`,
})
