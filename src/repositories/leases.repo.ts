import { type Kysely, sql } from "kysely"
import type { Database } from "../../db/schema"

type Db = Kysely<Database>

/** Takes the chat for `owner` if it is free, expired, or already ours. Works across processes on one database. */
export const acquireLease = async (
  db: Db,
  chatId: number,
  owner: string,
  ttlMs: number,
): Promise<boolean> => {
  const expires = sql<Date>`now() + make_interval(secs => ${ttlMs / 1000})`
  const row = await db
    .insertInto("chat_leases")
    .values({ chat_id: chatId, owner, expires_at: expires })
    .onConflict((oc) =>
      oc
        .column("chat_id")
        .doUpdateSet({ owner, expires_at: expires })
        .where(({ or, eb }) =>
          or([eb("chat_leases.expires_at", "<", sql<Date>`now()`), eb("chat_leases.owner", "=", owner)]),
        ),
    )
    .returning("owner")
    .executeTakeFirst()
  return row?.owner === owner
}

export const renewLeases = (db: Db, owner: string, ttlMs: number) =>
  db
    .updateTable("chat_leases")
    .set({ expires_at: sql<Date>`now() + make_interval(secs => ${ttlMs / 1000})` })
    .where("owner", "=", owner)
    .execute()

export const releaseLease = (db: Db, chatId: number, owner: string) =>
  db.deleteFrom("chat_leases").where("chat_id", "=", chatId).where("owner", "=", owner).execute()

export const releaseAllLeases = (db: Db, owner: string) =>
  db.deleteFrom("chat_leases").where("owner", "=", owner).execute()
