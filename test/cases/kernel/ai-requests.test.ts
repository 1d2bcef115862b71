import { describe, expect, test } from "bun:test"
import { Schema } from "effect"
import { aiRequestFor, personaRequest, reviewRequest } from "../../../src/cases/kernel/ai-requests"
import { personaPrompt, reviewPrompt } from "../../../src/cases/kernel/prompts"
import type { Turn } from "../../../src/core/attempt"
import { otherCase, testCase } from "./test-case"

const turns: ReadonlyArray<Turn> = [{ learner: "Привет", persona: "Здравствуйте", covered: [] }]
const ask = {
  _tag: "AskPersona",
  requestId: 7,
  caseId: testCase.id,
  turns,
  text: "Что предлагаешь?",
} as const
const askReview = { _tag: "AskReview", requestId: 9, caseId: testCase.id, turns, covered: [] } as const
const keys = testCase.methodology.components.map((c) => c.key)

describe("the kernel's AI requests: one per task, as data", () => {
  test("persona: the persona prompt, the persona_turn schema, read → PersonaReplied with the covered keys", () => {
    const request = personaRequest(testCase, ask)
    expect({ system: request.system, messages: request.messages }).toEqual(
      personaPrompt(testCase, turns, "Что предлагаешь?"),
    )
    expect([request.channel, request.caseId, request.schemaName, request.tellsWhenQueued]).toEqual([
      "dialogue",
      testCase.id,
      "persona_turn",
      true,
    ])
    const answer = { ...Object.fromEntries(keys.map((k, i) => [k, i === 0])), reply: "Ну допустим" }
    const decoded = Schema.decodeUnknownSync(request.schema)(answer)
    expect(request.read(decoded, "openai:gpt")).toEqual({
      _tag: "PersonaReplied",
      requestId: 7,
      reply: "Ну допустим",
      covered: [keys[0]!],
      model: "openai:gpt",
    })
    expect(() => Schema.decodeUnknownSync(request.schema)({ reply: "без флагов" })).toThrow()
  })

  test("review: the reviewer prompt, the review schema, read → ReviewReady; no queue notice", () => {
    const request = reviewRequest(testCase, askReview)
    expect({ system: request.system, messages: request.messages }).toEqual(reviewPrompt(testCase, turns, []))
    expect([request.channel, request.schemaName, request.tellsWhenQueued]).toEqual([
      "reviewer",
      "review",
      false,
    ])
    const review = { overall: "Хорошо", components: [], strengths: ["a"], growth: ["b"] }
    expect(request.read(Schema.decodeUnknownSync(request.schema)(review), "gemini:flash")).toEqual({
      _tag: "ReviewReady",
      requestId: 9,
      review,
      model: "gemini:flash",
    })
  })

  test("aiRequestFor → the command's case builds it; a case no longer registered → null", () => {
    expect(aiRequestFor([otherCase, testCase], ask)?.system).toBe(personaRequest(testCase, ask).system)
    expect(aiRequestFor([otherCase, testCase], askReview)?.schemaName).toBe("review")
    expect(aiRequestFor([otherCase], ask)).toBeNull()
  })
})
