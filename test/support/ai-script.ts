import type { CaseSpec } from "../../src/cases/kernel/spec"
import type { Review } from "../../src/core/ai-reply"
import type { FakeOpenAi, RecordedRequest } from "./fake-openai"

export interface ScriptedTurn {
  readonly reply: string
  /** Component keys the persona model judges as covered by the learner's line. */
  readonly covered?: ReadonlyArray<string>
}

const schemaName = (r: RecordedRequest): string | undefined => {
  const body = r.body as { response_format?: { json_schema?: { name?: string } } } | undefined
  return body?.response_format?.json_schema?.name
}

export const reviewOf = (
  spec: CaseSpec,
  covered: ReadonlyArray<string>,
  overall = "Хороший разговор.",
): Review => ({
  overall,
  components: spec.methodology.components.map((c) => ({
    key: c.key,
    covered: covered.includes(c.key),
    evidence: covered.includes(c.key) ? `цитата про ${c.label}` : "",
    better: covered.includes(c.key) ? "" : `лучше сказать про ${c.label}`,
  })),
  strengths: ["Говорил по делу"],
  growth: ["Задавай больше открытых вопросов", "Фиксируй договорённости"],
})

/**
 * Answers the fake OpenAI like the real models would for this case: persona turns in order (then a neutral
 * line), and one review. Booleans are real booleans, as strict structured outputs guarantee.
 */
export const scriptRoleplay = (
  ai: FakeOpenAi,
  spec: CaseSpec,
  turns: ReadonlyArray<ScriptedTurn>,
  review: Review = reviewOf(spec, []),
) => {
  let next = 0
  const keys = spec.methodology.components.map((c) => c.key)
  ai.setResponder((request) => {
    if (schemaName(request) === "review") return review
    const turn = turns[next++] ?? { reply: "Понятно.", covered: [] }
    return {
      reply: turn.reply,
      ...Object.fromEntries(keys.map((k) => [k, (turn.covered ?? []).includes(k)])),
    }
  })
  return { personaCalls: () => ai.requests.filter((r) => schemaName(r) === "persona_turn").length }
}
