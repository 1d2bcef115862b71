import type { Kysely } from "kysely"
import type { Database } from "../../db/schema"
import { type BatchOptions, batched } from "../lib/batch"
import { lockOrder } from "./lock-order"

type Db = Kysely<Database>

const groups = new WeakMap<Db, Map<string, (input: never) => Promise<unknown>>>()

/**
 * A statement that runs for every update, grouped across chats (lib/batch.ts): one group per database and name,
 * in the chats' lock order. A transaction is never grouped: its statements are its own.
 */
export const grouped = <In extends { readonly chatId: number }, Out>(
  db: Db,
  name: string,
  options: Omit<BatchOptions<In, Out>, "slots" | "maxBatch" | "compare">,
): ((input: In) => Promise<Out>) => {
  if (db.isTransaction) return options.one
  const byName = groups.get(db) ?? new Map()
  groups.set(db, byName)
  let group = byName.get(name) as ((input: In) => Promise<Out>) | undefined
  if (group === undefined) {
    group = batched<In, Out>({
      ...options,
      // One statement in flight per group, the rest gathering for the next: with two, the batches were half as
      // big under P1's load, and PostgreSQL spent a quarter more per update (bench/HISTORY.md, step 25).
      slots: 1,
      maxBatch: 64,
      // Under load, a free slot waits up to 2 ms for the wave that the last batch's answers send back, rather than
      // spending a statement on its first few rows: a fifth fewer statements, PostgreSQL's CPU per update ~5 % lower
      // (bench/HISTORY.md, step 35).
      lingerMs: 2,
      compare: (a, b) => lockOrder(a.chatId, b.chatId),
    })
    byName.set(name, group as (input: never) => Promise<unknown>)
  }
  return group
}
