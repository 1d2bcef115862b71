import { describe, expect, test } from "bun:test"
import { Schema } from "effect"
import { aiTaskFor, type CallOutcome, personaTask, reviewTask } from "../../../src/cases/kernel/ai-requests"
import { judgePrompt } from "../../../src/cases/kernel/judge"
import { personaPrompt, reviewPrompt } from "../../../src/cases/kernel/prompts"
import { rubricVersion } from "../../../src/cases/kernel/rubric"
import type { Review } from "../../../src/core/ai-reply"
import type { Turn } from "../../../src/core/attempt"
import { plain } from "../../support/review-header"
import { otherCase, testCase } from "./test-case"

const turns: ReadonlyArray<Turn> = [{ learner: "Привет", persona: "Здравствуйте", covered: [] }]
const LINE = "Во вторник ты не заполнил чек-лист. Что предлагаешь?"
const ask = { _tag: "AskPersona", requestId: 7, caseId: testCase.id, turns, text: LINE } as const
const askReview = { _tag: "AskReview", requestId: 9, caseId: testCase.id, turns, covered: [] } as const
const keys = testCase.methodology.components.map((c) => c.key)
const ok = (value: unknown, model = "openai:gpt"): CallOutcome => ({ ok: true, value, model })
const judged = (found: Record<string, string>) =>
  Object.fromEntries(keys.map((k) => [k, { present: k in found, quote: found[k] ?? "" }]))

describe("the persona's turn: the persona and the judge, two calls side by side", () => {
  const task = personaTask(testCase, ask)

  test("the persona plays the person only; the judge gets the rubric, and the lines as data", () => {
    const [persona, judge] = task.calls
    expect({ system: persona!.system, messages: persona!.messages }).toEqual(
      personaPrompt(testCase, turns, LINE),
    )
    expect(persona!.system).not.toContain(testCase.methodology.components[0]!.definition)
    expect([persona!.channel, persona!.schemaName, judge!.channel, judge!.schemaName]).toEqual([
      "dialogue",
      "persona_reply",
      "judge",
      "judge_line",
    ])
    expect({ system: judge!.system, messages: judge!.messages }).toEqual(
      judgePrompt(testCase, "Здравствуйте", LINE),
    )
    expect(judge!.system).toContain(testCase.methodology.components[0]!.definition)
    expect(judge!.messages).toEqual([
      {
        role: "user",
        content: JSON.stringify({ persona_previous_line: "Здравствуйте", learner_line: LINE }),
      },
    ])
    expect(task.tellsWhenQueued).toBe(true)
    expect(() => Schema.decodeUnknownSync(judge!.schema)({ A: true })).toThrow()
  })

  test("a judge's quote found in the line counts (after normalisation); one not in the line does not, and is recorded", () => {
    const feedback = task.read([
      ok({ reply: "Ну допустим" }),
      ok(
        judged({
          A: "во вторник ТЫ  не заполнил чек–лист",
          B: "ты всё время халтуришь",
          D: "Что предлагаешь",
        }),
      ),
    ])
    expect(feedback).toEqual({
      _tag: "PersonaReplied",
      requestId: 7,
      reply: "Ну допустим",
      covered: ["A", "D"],
      quotes: { A: "во вторник ТЫ  не заполнил чек–лист", D: "Что предлагаешь" },
      unverified: ["B"],
      judged: true,
      model: "openai:gpt",
    })
  })

  test("the judge failed → the line is still answered, no step counts; the persona failed → AiFailed", () => {
    expect(task.read([ok({ reply: "Ага" }), { ok: false, reason: "timeout" }])).toMatchObject({
      _tag: "PersonaReplied",
      covered: [],
      judged: false,
    })
    expect(task.read([{ ok: false, reason: "rate_limited" }, ok(judged({ A: LINE }))])).toEqual({
      _tag: "AiFailed",
      requestId: 7,
      reason: "rate_limited",
    })
  })

  test("aiTaskFor → the command's case builds it; a case no longer registered → null", () => {
    expect(aiTaskFor([otherCase, testCase], ask, 3)?.calls).toHaveLength(2)
    expect(aiTaskFor([otherCase, testCase], askReview, 3)?.calls).toHaveLength(3)
    expect(aiTaskFor([otherCase], ask, 3)).toBeNull()
  })
})

const dialogue: ReadonlyArray<Turn> = [
  {
    learner: "Во вторник ты не заполнил чек-лист осмотра",
    persona: "Ну и что",
    covered: ["A"],
    quotes: { A: "не заполнил чек-лист" },
  },
  { learner: "Меня это тревожит. Как думаешь, что мешает?", persona: "Время", covered: [] },
]
const reviewCmd = {
  _tag: "AskReview",
  requestId: 11,
  caseId: testCase.id,
  turns: dialogue,
  covered: ["A"],
} as const
const review = (covered: Record<string, string>, overall = "Итог"): Review => ({
  overall,
  components: keys.map((key) => ({
    key,
    covered: key in covered,
    evidence: covered[key] ?? "",
    better: key in covered ? "" : `лучше про ${key}`,
  })),
  strengths: ["s"],
  growth: ["g"],
})

describe("the review: sampled, decided by majority, quotes checked by code", () => {
  const task = reviewTask(testCase, reviewCmd, 3)

  test("the dialogue goes as a JSON array in the user message; the system prompt holds no learner text", () => {
    const call = task.calls[0]!
    expect({ system: call.system, messages: call.messages }).toEqual(reviewPrompt(testCase, dialogue, ["A"]))
    expect(call.system).not.toContain("чек-лист")
    expect(JSON.parse(call.messages[0]!.content)).toEqual([
      { speaker: "Руководитель", text: dialogue[0]!.learner },
      { speaker: testCase.persona.name, text: "Ну и что" },
      { speaker: "Руководитель", text: dialogue[1]!.learner },
      { speaker: testCase.persona.name, text: "Время" },
    ])
    expect(task.calls).toHaveLength(3)
    expect(task.tellsWhenQueued).toBe(false)
  })

  test("split 2–1 → the majority; an unverifiable ✅ is overruled (the judge's verdict stands)", () => {
    const feedback = task.read([
      ok(review({ A: "чек-лист осмотра", C: "Меня это тревожит" }, "первый")),
      ok(
        review({ A: "не заполнил чек-лист", C: "меня это тревожит", E: "ты молодец, всё сделал" }),
        "gemini:flash",
      ),
      ok(review({ A: "чек-лист осмотра", D: "Как думаешь, что мешает?" })),
    ])
    if (feedback._tag !== "ReviewReady") throw new Error(feedback._tag)
    expect(feedback.verdict).toEqual({
      covered: ["A", "C"],
      disputed: [],
      evidence: { A: "чек-лист осмотра", C: "Меня это тревожит" },
      votes: {
        A: [true, true, true],
        B: [false, false, false],
        C: [true, true, false],
        D: [false, false, true],
        E: [false, false, false],
      },
      rubric: rubricVersion(testCase),
      models: ["openai:gpt", "gemini:flash", "openai:gpt"],
      quotesProposed: 7,
      quotesUnverified: 1,
    })
    // The texts shown are those of the sample that agrees with the verdict (the first), with verified quotes only.
    expect(feedback.review.overall).toBe("первый")
    expect(feedback.review.components.map((c) => [c.key, c.covered, c.evidence])).toEqual([
      ["A", true, "чек-лист осмотра"],
      ["B", false, ""],
      ["C", true, "Меня это тревожит"],
      ["D", false, ""],
      ["E", false, ""],
    ])
  })

  test("1–1–1 with an abstention (a failed sample) → «спорно», not covered; all failed → AiFailed", () => {
    const feedback = task.read([
      ok(review({ A: "чек-лист осмотра", D: "что мешает" })),
      { ok: false, reason: "timeout" },
      ok(review({ A: "чек-лист осмотра" })),
    ])
    if (feedback._tag !== "ReviewReady") throw new Error(feedback._tag)
    expect(feedback.verdict?.covered).toEqual(["A"])
    expect(feedback.verdict?.disputed).toEqual(["D"])
    expect(feedback.verdict?.votes.D).toEqual([true, null, false])
    expect(feedback.verdict?.models).toEqual(["openai:gpt", null, "openai:gpt"])
    const none = task.read([
      { ok: false, reason: "timeout" },
      { ok: false, reason: "unavailable" },
      { ok: false, reason: "timeout" },
    ])
    expect(none).toEqual({ _tag: "AiFailed", requestId: 11, reason: "timeout" })
  })

  test("a reviewer ❌ on a step the judge found: the majority decides, the judge's quote is kept when it wins", () => {
    const feedback = task.read([
      ok(review({})),
      ok(review({ A: "" })),
      ok(review({ A: "совсем другие слова" })),
    ])
    if (feedback._tag !== "ReviewReady") throw new Error(feedback._tag)
    // Sample 1 says ❌; samples 2 and 3 claim ✅ without a verifiable quote → the judge's ✅ stands for them.
    expect(feedback.verdict?.votes.A).toEqual([false, true, true])
    expect(feedback.verdict?.covered).toEqual(["A"])
    expect(feedback.verdict?.evidence).toEqual({ A: "не заполнил чек-лист" })
  })

  test("the majority ❌ on a step the judge credited live (the learner saw ✅) → «спорно», never a silent ❌", () => {
    const feedback = task.read([ok(review({})), ok(review({})), ok(review({ C: "Меня это тревожит" }))])
    if (feedback._tag !== "ReviewReady") throw new Error(feedback._tag)
    expect(feedback.verdict?.votes.A).toEqual([false, false, false])
    expect(feedback.verdict?.covered).toEqual([])
    // A was in the live checklist; C was not, so the majority's ❌ on C stands as a plain miss.
    expect(feedback.verdict?.disputed).toEqual(["A"])
    expect(feedback.review.components.find((c) => c.key === "A")?.covered).toBe(false)
  })
})

describe("the review as shown: a disputed step is said to be disputed and not counted", () => {
  test("«спорно» with ❔, the score without it; quotes shown whole words only", async () => {
    const { renderReview } = await import("../../../src/cases/kernel/texts")
    const long = `${"очень длинная цитата ".repeat(12)}конец`
    const shown = renderReview(testCase, review({ A: long }), ["A"], plain(2), ["D"])
    expect(shown).toContain("1 из 5")
    expect(shown).toContain("❔ Дельта &amp; Ко — спорно")
    expect(shown).toContain("❔ <b>Дельта &amp; Ко</b> (оценки разошлись, поэтому шаг не засчитан)")
    const quoted = /✅ <b>Альфа<\/b>: «([^»]*)»/.exec(shown)?.[1] ?? ""
    expect(quoted.endsWith("…")).toBe(true)
    // What is shown is the quote's beginning up to a whole word.
    expect(long.startsWith(`${quoted.slice(0, -1)} `)).toBe(true)
  })
})

describe("the judge's schema: one per case, so its JSON schema is derived once", () => {
  test("two lines of a case ask with the same schema; another case with its own", () => {
    const judgeOf = (spec: typeof testCase) => personaTask(spec, { ...ask, caseId: spec.id }).calls[1]!.schema
    expect(judgeOf(testCase)).toBe(judgeOf(testCase))
    expect(judgeOf(otherCase)).not.toBe(judgeOf(testCase))
  })
})
