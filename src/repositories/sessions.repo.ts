import { type Kysely, sql } from "kysely"
import type { Database } from "../../db/schema"
import { jsonb } from "./jsonb"

type Db = Kysely<Database>

export const findSession = (db: Db, chatId: number) =>
  db.selectFrom("chat_sessions").select(["state", "version"]).where("chat_id", "=", chatId).executeTakeFirst()

/**
 * Saves a chat's state only if nobody saved it since we read `expectedVersion` (0 = no row yet).
 * Returns false on a lost race, so the caller re-reads and reduces again instead of overwriting.
 */
export const saveSession = async (db: Db, chatId: number, state: unknown, expectedVersion: number) => {
  const json = jsonb(state)
  if (expectedVersion === 0) {
    const inserted = await db
      .insertInto("chat_sessions")
      .values({ chat_id: chatId, state: json, version: 1 })
      .onConflict((oc) => oc.column("chat_id").doNothing())
      .returning("version")
      .executeTakeFirst()
    return inserted !== undefined
  }
  const updated = await db
    .updateTable("chat_sessions")
    .set({ state: json, version: expectedVersion + 1, updated_at: sql<Date>`now()` })
    .where("chat_id", "=", chatId)
    .where("version", "=", expectedVersion)
    .executeTakeFirst()
  return Number(updated.numUpdatedRows) === 1
}
