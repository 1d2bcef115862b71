import { describe, expect, test } from "bun:test"
import { Schema } from "effect"
import {
  askPersona,
  askReview,
  finalVerdict,
  finish,
  personaFailed,
  recordTurn,
  showReview,
  startAttempt,
} from "../../../src/cases/kernel/dialogue"
import { dialogueKeyboard, removeReplyKeyboard } from "../../../src/cases/kernel/keyboards"
import { makeRoleplayReducer } from "../../../src/cases/kernel/roleplay"
import { MIN_TURNS_FOR_EARLY_FINISH } from "../../../src/cases/kernel/spec"
import { checklist, personaLine, renderReview, kernelTexts as t } from "../../../src/cases/kernel/texts"
import { type Attempt, newAttempt, type Outcome } from "../../../src/core/attempt"
import { type CaseStat, Cmd } from "../../../src/core/commands"
import { initialSession, Session } from "../../../src/core/session"
import { homeScreen } from "../../../src/nav/home"
import { plain } from "../../support/review-header"
import {
  aiFailed,
  attemptOf,
  command,
  ev,
  fold,
  personaReplied,
  press,
  review,
  reviewReady,
  T0,
  text,
  voice,
} from "./scenario"
import { otherCase, testCase } from "./test-case"

const reduce = makeRoleplayReducer({ cases: [testCase, otherCase], home: (ev) => [homeScreen(ev)] })

const turn = (learner: string, covered: ReadonlyArray<string> = []) => ({
  learner,
  persona: `на «${learner}»`,
  covered: [...covered],
})

/** A session in a test_case dialogue with the given turns and the given line in flight as request 7. */
const talking = (turns: Attempt["turns"], covered: ReadonlyArray<string>, line = "реплика"): Session => ({
  ...initialSession,
  nextRequestId: 8,
  attempts: { test_case: 3 },
  flow: {
    _tag: "Case",
    attempt: {
      ...newAttempt("test_case", 3, T0),
      turns,
      covered: [...covered],
      pending: { requestId: 7, text: line, since: T0 },
    },
  },
})

describe("startAttempt", () => {
  test("numbers attempts per case from the session's counter", () => {
    const s = { ...initialSession, attempts: { test_case: 4, other_case: 1 } }
    expect(startAttempt(s, testCase, T0)).toEqual([
      {
        ...s,
        flow: { _tag: "Case", attempt: newAttempt("test_case", 5, T0) },
        attempts: { test_case: 5, other_case: 1 },
      },
      [
        { _tag: "RecordStat", caseId: "test_case", stat: "started" },
        Cmd.reply(testCase.texts.algorithm, dialogueKeyboard()),
      ],
    ])
  })
})

describe("askPersona", () => {
  test("takes the session's next request id and clears a failed line", () => {
    const s = talking([], [])
    const a = { ...attemptOf(s), pending: null, failed: "старое" }
    expect(askPersona(s, a, "новое", T0 + 1)).toEqual([
      {
        ...s,
        nextRequestId: 9,
        flow: {
          _tag: "Case",
          attempt: { ...a, pending: { requestId: 8, text: "новое", since: T0 + 1 }, failed: null },
        },
      },
      [
        { _tag: "ChatAction" },
        { _tag: "AskPersona", requestId: 8, caseId: "test_case", turns: [], text: "новое" },
      ],
    ])
  })
})

describe("finish", () => {
  const outcomes: ReadonlyArray<readonly [Outcome, string, ReadonlyArray<CaseStat>]> = [
    ["completed", t.allCovered, ["completed", "auto_finished"]],
    ["out_of_moves", t.outOfTurns(testCase), ["out_of_moves", "auto_finished"]],
    ["manual", t.manualFinish, ["completed"]],
  ]

  test.each(outcomes)(
    "%s → its announcement, its stats exactly once, then the review request",
    (outcome, announce, stats) => {
      const s = talking([turn("раз", ["A"])], ["A"])
      const a = { ...attemptOf(s), pending: null, queued: ["лишняя"] }
      const lead = Cmd.reply("последняя реплика персонажа")
      expect(finish(s, testCase, a, outcome, [lead])).toEqual([
        {
          ...s,
          nextRequestId: 9,
          flow: {
            _tag: "Case",
            attempt: { ...a, phase: "Reviewing", queued: [], reviewRequestId: 8, outcome },
          },
        },
        [
          lead,
          Cmd.reply(announce),
          ...stats.map((stat): Cmd => ({ _tag: "RecordStat", caseId: "test_case", stat })),
          { _tag: "ChatAction" } as Cmd,
          {
            _tag: "AskReview",
            requestId: 8,
            caseId: "test_case",
            turns: [turn("раз", ["A"])],
            covered: ["A"],
          },
        ],
      ])
    },
  )

  test("askReview alone (the retry after a failed review) counts nothing", () => {
    const s = talking([turn("раз")], [])
    const [, cmds] = askReview(s, attemptOf(s), "manual")
    expect(cmds.filter((c) => c._tag === "RecordStat")).toEqual([])
  })
})

describe("recordTurn", () => {
  test(`every component AND ${MIN_TURNS_FOR_EARLY_FINISH} turns → one closing line, then the finish; the limit ends it otherwise`, () => {
    const all = ["A", "B", "C", "D", "E"]
    const after = (
      turns: Attempt["turns"],
      covered: ReadonlyArray<string>,
      now: ReadonlyArray<string>,
      closing = false,
    ) => {
      const s = talking(turns, covered)
      const open = { ...attemptOf(s), closing }
      const [next] = recordTurn(s, testCase, open, { reply: "ответ", covered: now, model: "m" }, false, T0)
      const { outcome, closing: closes } = attemptOf(next)
      return { outcome, closing: closes }
    }
    expect(after([], [], all)).toEqual({ outcome: null, closing: false })
    expect(after([turn("раз", all)], all, [])).toEqual({ outcome: null, closing: true })
    expect(after([turn("раз", all), turn("два")], all, [], true)).toEqual({
      outcome: "completed",
      closing: true,
    })
    expect(after([turn("раз")], [], ["A", "B", "C", "D"])).toEqual({ outcome: null, closing: false })
    expect(after([turn("раз"), turn("два"), turn("три")], [], ["A"]).outcome).toBe("out_of_moves")
    // Heard on the last allowed turn: no room for a closing line.
    expect(after([turn("раз"), turn("два"), turn("три")], ["A", "B"], ["C", "D", "E"]).outcome).toBe(
      "completed",
    )
  })

  test("the checklist counts the union of covered components and shows this turn's flags to admins only", () => {
    const s = talking([turn("раз", ["A"])], ["A"])
    const user = recordTurn(
      s,
      testCase,
      attemptOf(s),
      { reply: "ну", covered: ["A", "C"], model: "m" },
      false,
      T0,
    )[1]
    const admin = recordTurn(
      s,
      testCase,
      attemptOf(s),
      { reply: "ну", covered: ["A", "C"], model: "m" },
      true,
      T0,
    )[1]
    expect(user).toEqual([
      Cmd.reply(`${personaLine(testCase, "ну")}\n\n${checklist(testCase, ["A", "C"], 2, null)}`),
    ])
    expect(admin).toEqual([
      Cmd.reply(`${personaLine(testCase, "ну")}\n\n${checklist(testCase, ["A", "C"], 2, ["A", "C"])}`),
    ])
  })
})

describe("personaFailed", () => {
  test("keeps the pending line as failed and keeps the queue", () => {
    const s = talking([], [])
    const a = { ...attemptOf(s), queued: ["следующая"] }
    expect(personaFailed(s, testCase, a)[0].flow).toEqual({
      _tag: "Case",
      attempt: { ...a, pending: null, failed: "реплика", queued: ["следующая"] },
    })
  })

  test("lines queued behind a failed one go out, in order, after the retry", () => {
    const s = fold(reduce, initialSession, [
      ev(command("testcase")),
      ev(text("первая")),
      ev(text("вторая")),
      ev(aiFailed(1)),
      ev(press("test_case", "retry")),
      ev(personaReplied(2, "ответ 1")),
      ev(personaReplied(3, "ответ 2")),
    ])
    expect(attemptOf(s).turns.map((x) => [x.learner, x.persona])).toEqual([
      ["первая", "ответ 1"],
      ["вторая", "ответ 2"],
    ])
  })
})

describe("showReview", () => {
  test("numbers the attempt by the reviews of this case, renders the reviewer's final verdict, then asks for the progress", () => {
    const s = {
      ...talking([turn("раз", ["A"])], ["A"]),
      reviews: 2,
      reviewed: { test_case: 4, other_case: 9 },
    }
    const a: Attempt = {
      ...attemptOf(s),
      pending: null,
      phase: "Reviewing",
      reviewRequestId: 8,
      outcome: "manual",
    }
    const verdict = finalVerdict(testCase, review, ["A"])
    const done: Attempt = { ...a, number: 5, covered: verdict, phase: "Reviewed", reviewRequestId: null }
    expect(showReview(s, testCase, a, review, "m", T0 + 9)).toEqual([
      { ...s, reviews: 3, reviewed: { test_case: 5, other_case: 9 }, flow: { _tag: "Case", attempt: done } },
      [
        Cmd.reply(renderReview(testCase, review, verdict, plain(5)), removeReplyKeyboard),
        { _tag: "SaveAttempt", attempt: done, review, reviewModel: "m", endedAt: T0 + 9, verdict: null },
        { _tag: "LoadProgress", caseId: "test_case" },
      ],
    ])
  })

  test("the review header names the level and the hints taken", () => {
    const html = renderReview(testCase, review, ["A"], { number: 2, hints: 3, level: "hard" })
    expect(html).toContain("Попытка №2 ·")
    expect(html).toContain("Собеседник: жёсткий · 💡 подсказок: 3")
    expect(renderReview(testCase, review, ["A"], plain(1))).toContain("Собеседник: обычный · без подсказок")
  })
})

describe("the reducer as a whole", () => {
  /**
   * A whole attempt, with every kind of event: two lines at once, a voice line that could not be heard (ticket 2),
   * a failure, a retry, the review.
   */
  const notHeard = {
    _tag: "Feedback",
    event: { _tag: "TranscriptionFailed", caseId: "test_case", attempt: 1, ticket: 2, reason: "timeout" },
  } as const
  const scenario = [
    ev(command("testcase")),
    ev(text("первая")),
    ev(text("вторая")),
    ev(voice),
    ev(notHeard),
    ev(personaReplied(1, "ответ 1", ["A", "B"])),
    ev(aiFailed(3)),
    ev(press("test_case", "retry")),
    ev(personaReplied(4, "ответ 2", ["C", "D", "E"])),
    ev(text("спасибо, до встречи")),
    ev(personaReplied(5, "пока")),
    ev(reviewReady(6, review)),
  ]

  const deepFreeze = <T>(value: T): T => {
    if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
      Object.freeze(value)
      for (const v of Object.values(value)) deepFreeze(v)
    }
    return value
  }

  test("is pure: it never mutates the state it is given (every input state frozen)", () => {
    const final = scenario.reduce((s, e) => {
      const step = reduce(deepFreeze(s), e)
      if (!step) throw new Error(e.input._tag)
      return step[0]
    }, initialSession)
    expect(attemptOf(final)).toMatchObject({ phase: "Reviewed", outcome: "completed" })
    expect(attemptOf(final).turns).toHaveLength(3)
  })

  test("is deterministic: the same events give the same states and commands", () => {
    const run = () => {
      const cmds: unknown[] = []
      const s = scenario.reduce((acc, e) => {
        const [next, out] = reduce(acc, e)!
        cmds.push(out)
        return next
      }, initialSession)
      return [s, cmds]
    }
    expect(run()).toEqual(run())
  })

  test("every state it produces is plain JSON that decodes back to itself (the stored session snapshot)", () => {
    const decode = Schema.decodeUnknownSync(Session)
    scenario.reduce((s, e) => {
      const [next] = reduce(s, e)!
      expect(decode(JSON.parse(JSON.stringify(next)))).toEqual(next)
      return next
    }, initialSession)
  })
})
