import { type Kysely, sql } from "kysely"
import type { Database, InboxRow } from "../../db/schema"
import { jsonText, param, prepared } from "./prepared"
import type { Reduction } from "./reduction"
import { reductionJson } from "./save-reductions.repo"
import { type SessionAndSender, type SessionAndSenderRow, sessionAndSenderOf } from "./sessions.repo"
import { type NewWork, type StartedWork, startedWorkOf } from "./work.repo"

type Db = Kysely<Database>

// The function (migrations 0007, 0009) stores, locks and reads in one round trip, each step on a fresh snapshot.
const storeRowStatement = prepared((db) =>
  db
    .selectFrom(
      sql<StoredRow>`store_inbox_row(${param(1, "bigint")}, ${param(2, "bigint")}, ${param(3, "text")}, ${param(4, "text::jsonb")}, ${param(5, "text")}, ${param(6, "float8")}, ${param(7, "bigint")})`.as(
        "r",
      ),
    )
    .selectAll(),
)

type StoredRow = {
  stored_id: number
  leased: boolean
  reduced?: boolean
  work_id?: number | null
  ai_calls_today?: number | null
} & Nullable<InboxRow> &
  SessionAndSenderRow

type Nullable<T> = { [K in keyof T]: T[K] | null }

export interface NewRow {
  readonly chatId: number
  /** Telegram's update_id, deduplicated; null for a feedback event. */
  readonly updateId: number | null
  readonly kind: InboxRow["kind"]
  readonly payload: unknown
  /** Whom the row is from: their role is read in the same round trip. */
  readonly userId: number
  /**
   * The background work whose result this row carries: stored only by the statement that deletes the work's row
   * (migration 0019), so a result is stored exactly once; null from the store when the work was settled already.
   */
  readonly settles?: number
  /** The row's step, reduced before it was stored: saved with it if the chat is as expected (migration 0017). */
  readonly reduced?: ReducedAtReceipt
}

/** A step reduced at receipt: from `expected` (the chat's session, the sender's role and counters). */
export interface ReducedAtReceipt {
  readonly expected: SessionAndSender
  /** The step as saveReduction would save it; its row id is the stored row's. */
  readonly step: Omit<Reduction, "rowId">
  /** A step that starts background work first: the work's row, saved with it (saveReductionWithWork's). */
  readonly work?: WorkAtReceipt
}

/** The work a step reduced at receipt starts, and the row's progress once it is started. */
export interface WorkAtReceipt {
  readonly work: NewWork
  /** Commands done once the work is started (up to and including its command); `last`: that is all of them. */
  readonly done: number
  readonly last: boolean
}

/** What migration 0019 writes the work's row from (the AI day's zone goes once per statement). */
const workJson = ({ work, done, last }: WorkAtReceipt) => ({
  d: done,
  l: last,
  u: work.userId,
  cmd: work.command,
  o: work.origin,
  ow: work.owner,
  ls: work.leaseSeconds,
  ds: work.deadlineSeconds,
})

/** What migration 0017 compares the chat and the sender with, as they are read with the lease. */
const expectedJson = ({ session, sender, limits }: SessionAndSender) => ({
  v: session?.version ?? 0,
  role: sender?.role ?? null,
  since: sender?.since ? new Date(sender.since).getTime() : null,
  un: sender?.username ?? null,
  fn: sender?.firstName ?? null,
  lf: limits.auth.failures,
  lu: limits.auth.lockedUntil,
  rate: limits.rate,
  rv: limits.revoked,
})

/** The chat's lease, taken in the statement that stored the row, with what processing starts from. */
export interface Head {
  /** The chat's oldest pending row: the stored one, or an older one still waiting. */
  readonly next: InboxRow
  readonly loaded: SessionAndSender
  /** Whose role `loaded.sender` is. */
  readonly userId: number
  /** The work `next`'s step started, its row written with the step (ReducedAtReceipt.work): to be run now. */
  readonly started?: SavedWork
}

/** Work whose row a store wrote with its step: its id and the budget read back, and what the work is. */
export interface SavedWork extends StartedWork {
  readonly work: NewWork
}

export interface Stored {
  readonly id: number
  /** Present when the chat was free: this instance now holds its lease. */
  readonly head?: Head
  /** The row's step reduced at receipt was saved with it: `head.next` is the row, reduced, its commands to run. */
  readonly reduced?: true
}

/**
 * Stores an inbox row durably and, in the same round trip, takes the chat's lease if nobody holds it, reading the
 * chat's oldest pending row (FOR UPDATE: its latest version), its session, the sender's role, stored name and
 * counters (user_limits). An idle chat's new row is then processed without another read. Stores of one chat wait for each other (an advisory lock), so a
 * chat's rows commit in id order. Null when this update_id was stored before.
 */
export const storeRow = async (db: Db, row: NewRow, owner: string, ttlMs: number): Promise<Stored | null> => {
  if (row.reduced || row.settles !== undefined) return (await storeRows(db, [row], owner, ttlMs))[0] ?? null
  const [first] = await storeRowStatement(db, storeParams(row, owner, ttlMs))
  return first ? storedOf(first, row) : null
}

// $1 the rows as a JSON array, each with its step reduced at receipt or without, $2 owner, $3 lease seconds,
// $4 the time zone of the AI day (migration 0019).
const storeAndReduceStatement = prepared((db) =>
  db
    .selectFrom(
      sql<
        StoredRow & { ord: number }
      >`store_and_reduce_rows(${param(1, "text::jsonb")}, ${param(2, "text")}, ${param(3, "float8")}, ${param(4, "text")})`.as(
        "r",
      ),
    )
    .selectAll(),
)

/**
 * `storeRow` for several rows in one statement and one commit, in the order given (which must follow
 * `lockOrder`, rows of one chat in arrival order). One result per row, in the same order.
 */
export const storeRows = async (
  db: Db,
  rows: ReadonlyArray<NewRow>,
  owner: string,
  ttlMs: number,
): Promise<Array<Stored | null>> => {
  const json = rows.map((r) => ({
    u: r.updateId,
    c: r.chatId,
    k: r.kind,
    p: r.payload,
    s: r.userId,
    ...(r.settles !== undefined && { x: r.settles }),
    ...(r.reduced && {
      e: expectedJson(r.reduced.expected),
      r: reductionJson({ ...r.reduced.step, rowId: 0 }),
      ...(r.reduced.work && { w: workJson(r.reduced.work) }),
    }),
  }))
  // One zone for the statement: every work row of a process takes it from the same setting (unused without work).
  const dayZone = rows.find((r) => r.reduced?.work)?.reduced?.work?.work.dayZone ?? "UTC"
  const results = await storeAndReduceStatement(db, [jsonText(json), owner, ttlMs / 1000, dayZone])
  const byOrder = new Map(results.map(({ ord, ...row }) => [ord, row as StoredRow]))
  return rows.map((row, i) => {
    const stored = byOrder.get(i + 1)
    return stored ? storedOf(stored, row) : null
  })
}

const storeParams = (row: NewRow, owner: string, ttlMs: number) => [
  row.updateId,
  row.chatId,
  row.kind,
  jsonText(row.payload),
  owner,
  ttlMs / 1000,
  row.userId,
]

/**
 * The chat's next row: the row's own columns, picked (not spread from the rest: this runs for every update), apart
 * from what the load reads (sessionAndSenderOf takes those from the same record). Every column, or it does not compile.
 */
const nextRowOf = (r: StoredRow): InboxRow =>
  ({
    id: r.id,
    update_id: r.update_id,
    chat_id: r.chat_id,
    kind: r.kind,
    payload: r.payload,
    received_at: r.received_at,
    reduced_at: r.reduced_at,
    commands: r.commands,
    commands_done: r.commands_done,
    processed_at: r.processed_at,
    attempts: r.attempts,
    last_error: r.last_error,
  }) satisfies Record<keyof InboxRow, unknown> as InboxRow

const storedOf = (first: StoredRow, row: NewRow): Stored => {
  const { stored_id: id, leased, reduced, work_id, ai_calls_today } = first
  if (!leased) return { id }
  const next = nextRowOf(first)
  const loaded = sessionAndSenderOf(first)
  if (!reduced || !row.reduced) return { id, head: { next, loaded, userId: row.userId } }
  // The row as the step's save left it: reduced, with its commands, none run yet but the work it started.
  const work = row.reduced.work
  const saved = {
    ...next,
    reduced_at: new Date(),
    commands: row.reduced.step.commands,
    commands_done: work?.done ?? 0,
    processed_at: work?.last ? new Date() : null,
  }
  const started: SavedWork | undefined =
    work && work_id != null
      ? { work: work.work, ...startedWorkOf({ id: Number(work_id), ai_calls_today: ai_calls_today ?? null }) }
      : undefined
  const head: Head = { next: saved as InboxRow, loaded, userId: row.userId, ...(started && { started }) }
  return { id, reduced: true, head }
}
