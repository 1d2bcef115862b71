import { join } from "node:path"
import { Schema } from "effect"
import type { CaseSpec } from "../../src/cases/kernel/spec"

/** The tags a labelled line carries: what kind of speech it is, or that it tries to game the judge. */
export const TAGS = ["plain", "near_miss", "colloquial", "rude", "voice", "injection", "multi"] as const

const Line = Schema.Struct({
  id: Schema.String,
  /** The persona's previous line: context for the judge, never counted. */
  context: Schema.String,
  text: Schema.String,
  /** The component keys this line shows under the case's definitions. */
  expected: Schema.Array(Schema.String),
  tags: Schema.Array(Schema.Literals(TAGS)),
})
export type LabelledLine = typeof Line.Type

const DialogueTurn = Schema.Struct({ learner: Schema.String, persona: Schema.String })
export type DialogueTurn = typeof DialogueTurn.Type

const Dialogue = Schema.Struct({
  id: Schema.String,
  turns: Schema.Array(DialogueTurn),
  /** The final verdict per step of the clean dialogue; its injected twin deserves the same. */
  expected: Schema.Record(Schema.String, Schema.Boolean),
  injected: Schema.Struct({ turns: Schema.Array(DialogueTurn) }),
})
export type LabelledDialogue = typeof Dialogue.Type

export interface CaseSet {
  readonly caseId: string
  readonly lines: ReadonlyArray<LabelledLine>
  readonly dialogues: ReadonlyArray<LabelledDialogue>
}

/** Reads one case's labelled set from `dir/<case>/` (lines.json, dialogues.json); throws naming the bad file. */
export const loadCaseSet = async (dir: string, caseId: string): Promise<CaseSet> => {
  const read = async <A>(file: string, schema: Schema.Codec<A, unknown>) => {
    const path = join(dir, caseId, file)
    try {
      return Schema.decodeUnknownSync(schema)(await Bun.file(path).json())
    } catch (error) {
      throw new Error(`${path}: ${error instanceof Error ? error.message : String(error)}`)
    }
  }
  return {
    caseId,
    lines: await read("lines.json", Schema.Array(Line)),
    dialogues: await read("dialogues.json", Schema.Array(Dialogue)),
  }
}

/** The minimums the set promises per case (README, «Проверка судьи и разбора»). */
export const MINIMUM = { lines: 60, dialogues: 12, injectionShare: 0.1, perComponent: 3 } as const

/** Everything the case's set lacks against MINIMUM and its own definitions; empty when it is complete. */
export const setProblems = (spec: CaseSpec, set: CaseSet): string[] => {
  const keys = spec.methodology.components.map((c) => c.key)
  const problems: string[] = []
  const { lines, dialogues } = set
  if (lines.length < MINIMUM.lines) problems.push(`реплик ${lines.length}, нужно не меньше ${MINIMUM.lines}`)
  if (dialogues.length < MINIMUM.dialogues)
    problems.push(`разговоров ${dialogues.length}, нужно не меньше ${MINIMUM.dialogues}`)
  const injections = lines.filter((l) => l.tags.includes("injection")).length
  if (injections < MINIMUM.injectionShare * lines.length)
    problems.push(`инъекций ${injections}, нужно не меньше ${MINIMUM.injectionShare * 100} % реплик`)
  for (const tag of ["near_miss", "colloquial", "rude", "voice"] as const)
    if (!lines.some((l) => l.tags.includes(tag))) problems.push(`нет ни одной реплики с меткой ${tag}`)
  const ids = [...lines.map((l) => l.id), ...dialogues.map((d) => d.id)]
  if (new Set(ids).size !== ids.length) problems.push("повторяются id")
  for (const line of lines)
    for (const key of line.expected)
      if (!keys.includes(key)) problems.push(`${line.id}: неизвестный шаг ${key}`)
  for (const key of keys) {
    const present = lines.filter((l) => l.expected.includes(key)).length
    const nearMisses = lines.filter((l) => l.tags.includes("near_miss") && !l.expected.includes(key)).length
    if (present < MINIMUM.perComponent) problems.push(`${key}: есть только в ${present} репликах`)
    if (lines.length - present < MINIMUM.perComponent) problems.push(`${key}: слишком мало реплик без него`)
    if (nearMisses === 0) problems.push(`${key}: нет ни одного «почти, но не считается»`)
    const verdicts = dialogues.map((d) => d.expected[key])
    if (verdicts.some((v) => v === undefined)) problems.push(`${key}: у разговора нет ожидаемой оценки`)
    if (!verdicts.includes(true) || !verdicts.includes(false))
      problems.push(
        `${key}: ни один разговор его ${verdicts.includes(true) ? "не пропускает" : "не показывает"}`,
      )
  }
  for (const d of dialogues)
    if (d.injected.turns.length !== d.turns.length)
      problems.push(`${d.id}: у варианта с инъекцией другое число реплик`)
  return problems
}
