import { type Kysely, type QueryCreator, sql } from "kysely"
import type { Database } from "../../db/schema"
import { jsonText, param, prepared } from "./prepared"
import type { Reduction } from "./reduction"

type Db = Kysely<Database>

/** save_reductions (migration 0014) over the JSON array in parameter `n` (`reductionsJson`). */
export const saveReductionsFrom = (db: QueryCreator<Database>, n: number) =>
  db
    .selectFrom(sql<{ ord: number; row_id: number }>`save_reductions(${param(n, "text::jsonb")})`.as("r"))
    .selectAll()

// $1 the reductions (reductionsJson).
const saveReductionsStatement = prepared((db) => saveReductionsFrom(db, 1))

/** Whether `saveReductions` can take this reduction: a rename touches other users' rows, so it goes alone. */
export const savableTogether = (r: Reduction) => r.profile === undefined

/**
 * Reductions of several chats (without a rename) as the JSON array save_reductions reads (migration 0014). One
 * statement matches a saved session to its step by chat: two steps of one chat must go one after the other (one
 * worker per chat makes this unreachable; refusing sends the batch row by row, lib/batch.ts).
 */
export const reductionsJson = (reductions: ReadonlyArray<Reduction>): string => {
  if (new Set(reductions.map((r) => r.chatId)).size < reductions.length)
    throw new Error("saveReductions: two steps of one chat in one batch")
  return jsonText(reductions.map(reductionJson))
}

/** One reduction as save_reductions reads it (migration 0014). */
export const reductionJson = (r: Reduction) => ({
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
})

/** Which of `count` reductions save_reductions answered for (by their 1-based order): the others lost a race. */
export const savedOf = (answered: ReadonlyArray<{ ord: number }>, count: number): boolean[] => {
  const saved = new Set(answered.map((r) => Number(r.ord)))
  return Array.from({ length: count }, (_, i) => saved.has(i + 1))
}

/**
 * Several chats' reductions (without a rename) in one statement and one commit, each exactly as `saveReduction`
 * would save it alone; in the order given (the chats' lock order). True for each one saved, false for a lost race.
 */
export const saveReductions = async (
  db: Db,
  reductions: ReadonlyArray<Reduction>,
): Promise<ReadonlyArray<boolean>> =>
  savedOf(await saveReductionsStatement(db, [reductionsJson(reductions)]), reductions.length)
