import type { CaseSpec } from "../../src/cases/kernel/spec"
import type { Review } from "../../src/core/ai-reply"
import type { FakeOpenAi, RecordedRequest } from "./fake-openai"

export interface ScriptedTurn {
  readonly reply: string
  /** Component keys the persona model judges as covered by the learner's line. */
  readonly covered?: ReadonlyArray<string>
}

/**
 * What a model request asks for — "persona_reply", "judge_line" or "review" — read from OpenAI's schema name, or
 * from the shape of Gemini's response schema (which carries no name).
 */
export const schemaName = (r: RecordedRequest): string | undefined => {
  const body = r.body as
    | {
        response_format?: { json_schema?: { name?: string } }
        generationConfig?: { responseJsonSchema?: { properties?: Record<string, unknown> } }
      }
    | undefined
  const named = body?.response_format?.json_schema?.name
  if (named) return named
  const properties = body?.generationConfig?.responseJsonSchema?.properties
  if (!properties) return undefined
  if ("reply" in properties) return "persona_reply"
  return "overall" in properties ? "review" : "judge_line"
}

/** Fault matchers for `failNext`: only the persona's, the judge's or the reviewer's requests. */
export const personaRequest = (r: RecordedRequest) => schemaName(r) === "persona_reply"
export const judgeRequest = (r: RecordedRequest) => schemaName(r) === "judge_line"
export const reviewRequest = (r: RecordedRequest) => schemaName(r) === "review"

/** The requests of one kind: "persona_reply", "judge_line" or "review". */
export const requestsNamed = (ai: FakeOpenAi, name: string): RecordedRequest[] =>
  ai.requests.filter((r) => schemaName(r) === name)

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

/** The learner line a judge request asks about (the JSON data in its last user message). */
export const judgedLine = (r: RecordedRequest): string => {
  const messages =
    (r.body as { messages?: Array<{ role: string; content: string }> } | undefined)?.messages ?? []
  const data = JSON.parse(messages.at(-1)?.content ?? "{}") as { learner_line?: string }
  return data.learner_line ?? ""
}

/** A judge's answer that finds `covered` in `line`, quoting the whole line (so code verifies it). */
export const judgeAnswerOf = (spec: CaseSpec, line: string, covered: ReadonlyArray<string>) =>
  Object.fromEntries(
    spec.methodology.components.map((c) => [
      c.key,
      { present: covered.includes(c.key), quote: covered.includes(c.key) ? line : "" },
    ]),
  )

/**
 * Answers the fake OpenAI like the real models would for this case: persona turns in order (then a neutral
 * line), the judge of each learner line (the turn's `covered`, keyed by the line it is asked about, in order), and
 * one review for every sample. Booleans are real booleans, as strict structured outputs guarantee.
 */
export const scriptRoleplay = (
  ai: FakeOpenAi,
  spec: CaseSpec,
  turns: ReadonlyArray<ScriptedTurn>,
  review: Review = reviewOf(spec, []),
) => {
  let next = 0
  let judged = 0
  ai.setResponder((request) => {
    const name = schemaName(request)
    if (name === "review") return review
    if (name === "judge_line") return judgeAnswerOf(spec, judgedLine(request), turns[judged++]?.covered ?? [])
    const turn = turns[next++] ?? { reply: "Понятно.", covered: [] }
    return { reply: turn.reply }
  })
  return { personaCalls: () => requestsNamed(ai, "persona_reply").length }
}
