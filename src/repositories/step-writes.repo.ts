import type { Kysely } from "kysely"
import type { Database } from "../../db/schema"
import { grouped } from "./grouped"
import {
  type CommandDone,
  markDoneWithEvent,
  markManyDone,
  markManyUpdate,
  markOne,
  marksJson,
} from "./inbox.repo"
import { prepared } from "./prepared"
import type { Reduction } from "./reduction"
import {
  reductionsJson,
  savableTogether,
  savedOf,
  saveReductions,
  saveReductionsFrom,
} from "./save-reductions.repo"
import { saveAlone } from "./sessions.repo"

type Db = Kysely<Database>

/** A chat's step to save (before its commands run), or a command's progress to record (after it ran). */
type StepWrite =
  | { readonly chatId: number; readonly save: Reduction }
  | { readonly chatId: number; readonly mark: CommandDone }

// $1 the reductions (reductionsJson), $2 the marks (marksJson). The marks touch only rows already saved, and a row
// is in one statement at a time (one worker per chat), so the two parts never share a row.
const savesAndMarksStatement = prepared((db) =>
  saveReductionsFrom(
    db.with("marked", (q) => markManyUpdate(q, 2)),
    1,
  ),
)

/** The saves' answers (true: saved, false: a lost race), in one statement with the marks; each kind may be empty. */
const runTogether = async (
  db: Db,
  saves: ReadonlyArray<Reduction>,
  marks: ReadonlyArray<CommandDone>,
): Promise<ReadonlyArray<boolean>> => {
  if (marks.length === 0) return saveReductions(db, saves)
  if (saves.length === 0) return markManyDone(db, marks).then(() => [])
  return savedOf(await savesAndMarksStatement(db, [reductionsJson(saves), marksJson(marks)]), saves.length)
}

/**
 * Saves and marks of several chats in one statement and one commit: each as it would be alone. True for a save
 * that passed its version check (false for a lost race), and for every mark.
 */
export const saveAndMarkTogether = async (db: Db, writes: ReadonlyArray<StepWrite>): Promise<boolean[]> => {
  const saved = await runTogether(
    db,
    writes.flatMap((w) => ("save" in w ? [w.save] : [])),
    writes.flatMap((w) => ("mark" in w ? [w.mark] : [])),
  )
  let next = 0
  return writes.map((w) => ("save" in w ? saved[next++]! : true))
}

// Saves (before a step's commands run) and marks (after each one) of chats working at the same time share one
// group (grouped.ts), so they share statements and commits: one per batch instead of one per kind.
const stepWrite = (db: Db, write: StepWrite): Promise<boolean> =>
  // Built once per database; the closures only use what each call passes.
  grouped<StepWrite, boolean>(db, "stepWrites", {
    one: (alone) => ("save" in alone ? saveAlone(db, alone.save) : markOne(db, alone.mark).then(() => true)),
    many: (together) => saveAndMarkTogether(db, together),
  })(write)

/**
 * A step, as `saveAlone` saves it, usually together with other chats' saves and marks. False on a lost race, so
 * the caller re-reads and reduces again. A step that renames its sender touches other users' rows: it goes alone.
 */
export const saveReduction = (db: Db, r: Reduction): Promise<boolean> =>
  savableTogether(r) ? stepWrite(db, { chatId: r.chatId, save: r }) : saveAlone(db, r)

/**
 * Records a command's progress, atomically with its feedback event when there is one (one round trip). Marks
 * without an event go together with other chats' saves and marks.
 */
export const markCommandDone = async (db: Db, c: CommandDone): Promise<void> => {
  if (c.event !== undefined) return markDoneWithEvent(db, c, c.event)
  await stepWrite(db, { chatId: c.chatId, mark: c })
}
