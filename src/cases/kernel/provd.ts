import type { CaseSpec } from "./spec"

type ProvdKey = "Behavior" | "Result" | "Emotion" | "Question" | "Agreement"

const STEPS: ReadonlyArray<readonly [ProvdKey, string, string]> = [
  ["Behavior", "П", "Поведение"],
  ["Result", "Р", "Результат"],
  ["Emotion", "О", "Отношение"],
  ["Question", "В", "Вопрос"],
  ["Agreement", "Д", "Договорённости"],
]

/** The ПРОВД feedback model (keys, letters, labels) with the case's own definitions of each step. */
export const provd = (definitions: Readonly<Record<ProvdKey, string>>): CaseSpec["methodology"] => ({
  name: "ПРОВД",
  components: STEPS.map(([key, letter, label]) => ({ key, letter, label, definition: definitions[key] })),
})
