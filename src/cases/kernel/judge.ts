import { type JudgeAnswer, judgeAnswerSchema } from "../../core/ai-reply"
import { memoizedBy } from "../../core/memo"
import { quoteVerified } from "../../core/quotes"
import { componentList, fill, keyList, type Prompt } from "./prompts"
import judgeRules from "./prompts/judge-rules.md" with { type: "text" }
import type { CaseSpec } from "./spec"

/**
 * The per-turn judge: its own call, sent beside the persona's, that decides which steps the learner's last line
 * shows. It gets the rubric, the persona's previous line as context and the learner's line as data in a user
 * message (never in the system prompt), so no learner text can pose as an instruction, a speaker or a verdict.
 */
export const judgePrompt = (spec: CaseSpec, previousPersonaLine: string, learnerLine: string): Prompt => ({
  system: fill(judgeRules, {
    persona_name: spec.persona.name,
    learner_label: spec.texts.learnerLabel,
    components: componentList(spec),
    keys: keyList(spec),
  }).trim(),
  messages: [
    {
      role: "user",
      content: JSON.stringify({ persona_previous_line: previousPersonaLine, learner_line: learnerLine }),
    },
  ],
})

// One schema per case, so the provider derives its JSON schema once (providers/json-schema.ts), not per line.
export const judgeSchema = memoizedBy((spec: CaseSpec) =>
  judgeAnswerSchema(spec.methodology.components.map((c) => c.key)),
)

export interface JudgedLine {
  /** Steps present with a quote found in the line: these count. */
  readonly covered: ReadonlyArray<string>
  readonly quotes: Readonly<Record<string, string>>
  /** Steps the judge claimed with a quote that is not in the line: they do not count, the miss is recorded. */
  readonly unverified: ReadonlyArray<string>
}

/** AI proposes, code decides: a claimed step counts only when its quote is in the learner's line. */
export const verifyJudgement = (spec: CaseSpec, answer: JudgeAnswer, line: string): JudgedLine => {
  const covered: string[] = []
  const unverified: string[] = []
  const quotes: Record<string, string> = {}
  for (const { key } of spec.methodology.components) {
    const finding = answer[key]
    if (!finding?.present) continue
    if (quoteVerified(finding.quote, [line])) {
      covered.push(key)
      quotes[key] = finding.quote.trim()
    } else unverified.push(key)
  }
  return { covered, quotes, unverified }
}
