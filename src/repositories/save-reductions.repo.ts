import { type Kysely, sql } from "kysely"
import type { Database } from "../../db/schema"
import { jsonText, param, prepared } from "./prepared"
import type { Reduction } from "./reduction"

type Db = Kysely<Database>

// $1 the reductions as a JSON array (migration 0014, save_reductions).
const saveReductionsStatement = prepared((db) =>
  db
    .selectFrom(sql<{ ord: number; row_id: number }>`save_reductions(${param(1, "text::jsonb")})`.as("r"))
    .selectAll(),
)

/** Whether `saveReductions` can take this reduction: a rename touches other users' rows, so it goes alone. */
export const savableTogether = (r: Reduction) => r.profile === undefined

/**
 * Several chats' reductions (without a rename) in one statement and one commit, each exactly as `saveReduction`
 * would save it alone; in the order given (the chats' lock order). True for each one saved, false for a lost race.
 */
export const saveReductions = async (
  db: Db,
  reductions: ReadonlyArray<Reduction>,
): Promise<ReadonlyArray<boolean>> => {
  // One statement matches a saved session to its step by chat: two steps of one chat must go one after the other
  // (one worker per chat makes this unreachable; refusing sends the batch row by row, lib/batch.ts).
  if (new Set(reductions.map((r) => r.chatId)).size < reductions.length)
    throw new Error("saveReductions: two steps of one chat in one batch")
  const json = reductions.map((r) => ({
    row: r.rowId,
    chat: r.chatId,
    version: r.expectedVersion,
    commands: r.commands,
    ...(r.state === undefined ? {} : { state: r.state }),
    ...(r.redactPayload === undefined ? {} : { redacted: r.redactPayload }),
    ...(r.counters === undefined
      ? {}
      : {
          counters: {
            user: r.counters.userId,
            failures: r.counters.auth.failures,
            lockedUntil: r.counters.auth.lockedUntil,
            rate: r.counters.rate,
          },
        }),
  }))
  const saved = new Set((await saveReductionsStatement(db, [jsonText(json)])).map((r) => Number(r.ord)))
  return reductions.map((_, i) => saved.has(i + 1))
}
