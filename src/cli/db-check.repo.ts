import { type Kysely, sql } from "kysely"
import type { Database } from "../../db/schema"

type Db = Kysely<Database>

export const exists = async (db: Db, table: string) => {
  const { rows } = await sql<{
    found: string | null
  }>`select to_regclass(${`public.${table}`})::text as found`.execute(db)
  return rows[0]?.found != null
}

export const appliedMigrations = async (db: Db) =>
  (await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db)).rows.map(
    (r) => r.name,
  )

export const countRows = async (db: Db, table: string) => {
  const { rows } = await sql<{ n: string | number }>`select count(*) as n from ${sql.table(table)}`.execute(
    db,
  )
  return Number(rows[0]?.n ?? 0)
}

export const serverVersion = async (db: Db) =>
  (await sql<{ version: string }>`select version() as version`.execute(db)).rows[0]?.version

/** Writes a probe row and reads it back inside a transaction that `Rollback` (thrown at the end) undoes. */
export const writeAndRollBack = (db: Db, probeId: number, Rollback: new () => Error) =>
  db.transaction().execute(async (trx) => {
    await trx.insertInto("authorized_users").values({ user_id: probeId, role: "user" }).execute()
    const row = await trx
      .selectFrom("authorized_users")
      .select("user_id")
      .where("user_id", "=", probeId)
      .executeTakeFirst()
    if (!row) throw new Error("вставленная строка не читается")
    throw new Rollback()
  })

export const findProbe = (db: Db, probeId: number) =>
  db.selectFrom("authorized_users").select("user_id").where("user_id", "=", probeId).executeTakeFirst()
