import { describe, expect, test } from "bun:test"
import { reduce as rootReduce } from "../../../src/app/reducer"
import {
  dialogueKeyboard,
  leaveKeyboard,
  leaveReviewKeyboard,
  removeReplyKeyboard,
} from "../../../src/cases/kernel/keyboards"
import { makeRoleplayReducer } from "../../../src/cases/kernel/roleplay"
import { kernelTexts as t } from "../../../src/cases/kernel/texts"
import { cases } from "../../../src/cases/registry"
import { type Attempt, newAttempt } from "../../../src/core/attempt"
import type { CallbackData, LeaveChoice } from "../../../src/core/callback-data"
import { Cmd } from "../../../src/core/commands"
import { idle, initialSession, type Session } from "../../../src/core/session"
import { homeScreen } from "../../../src/nav/home"
import { mainMenu } from "../../../src/nav/keyboards"
import { texts as appTexts } from "../../../src/nav/texts"
import {
  aiFailed,
  attemptOf,
  callback,
  command,
  ev,
  FIRST_NAME,
  fold,
  personaReplied,
  press,
  QUERY,
  T0,
  talk,
  text,
} from "./scenario"
import { otherCase, testCase } from "./test-case"

/** A start that would drop a dialogue with the learner's words asks first: continue / finish / drop. */

const reduce = makeRoleplayReducer({ cases: [testCase, otherCase], home: (ev) => [homeScreen(ev)] })
const inCase = (s: Session, attempt: Attempt): Session => ({ ...s, flow: { _tag: "Case", attempt } })
const stale = [Cmd.answer(QUERY, appTexts.staleButton, true)]
const answer = (id: number, choice: LeaveChoice, messageId: number | null = 900) =>
  callback({ _tag: "Leave", id, choice } satisfies CallbackData, messageId)

const started = fold(reduce, initialSession, [ev(command("testcase"))])
const turn1 = { learner: "Во вторник ты не заполнил чек-лист", persona: "И что?", covered: ["A", "B"] }
const oneTurn = talk(reduce, started, [[turn1.learner, turn1.persona, turn1.covered]])
/** /othercase in the middle of test_case: question 2 (the next request id) is open. */
const asked = fold(reduce, oneTurn, [ev(command("othercase"))])

describe("asking before a start drops a running dialogue", () => {
  test("another case's command → the question with its three buttons; nothing dropped, nothing counted", () => {
    expect(reduce(oneTurn, ev(command("othercase")))).toEqual([
      inCase(
        { ...oneTurn, nextRequestId: 3 },
        {
          ...attemptOf(oneTurn),
          leaving: { id: 2, to: { _tag: "StartCase", caseId: "other_case", level: "normal" } },
        },
      ),
      [Cmd.reply(t.leave.question(testCase), leaveKeyboard(2))],
    ])
    expect(leaveKeyboard(2)).toEqual({
      _tag: "Inline",
      rows: [
        [{ text: t.leave.buttons.stay, data: "leave:2:stay" }],
        [{ text: t.leave.buttons.finish, data: "leave:2:finish" }],
        [{ text: t.leave.buttons.drop, data: "leave:2:drop" }],
      ],
    })
  })

  test("the same case's command → asked too (it used to restart silently)", () => {
    expect(reduce(oneTurn, ev(command("testcase")))).toEqual([
      inCase(
        { ...oneTurn, nextRequestId: 3 },
        {
          ...attemptOf(oneTurn),
          leaving: { id: 2, to: { _tag: "StartCase", caseId: "test_case", level: "normal" } },
        },
      ),
      [Cmd.reply(t.leave.question(testCase), leaveKeyboard(2))],
    ])
  })

  test("an old «🎬 Начать тренировку» of another case → the callback answered, then the question", () => {
    expect(reduce(oneTurn, ev(press("other_case", "start")))).toEqual([
      inCase(
        { ...oneTurn, nextRequestId: 3 },
        {
          ...attemptOf(oneTurn),
          leaving: { id: 2, to: { _tag: "StartCase", caseId: "other_case", level: "normal" } },
        },
      ),
      [Cmd.answer(QUERY), Cmd.reply(t.leave.question(testCase), leaveKeyboard(2))],
    ])
  })

  test("an old «🔄 Попробовать ещё раз» under an earlier review → asked as well", () => {
    const [next, cmds] = reduce(oneTurn, ev(press("test_case", "restart")))!
    expect(attemptOf(next).leaving).toEqual({
      id: 2,
      to: { _tag: "StartCase", caseId: "test_case", level: "normal" },
    })
    expect(cmds).toEqual([Cmd.answer(QUERY), Cmd.reply(t.leave.question(testCase), leaveKeyboard(2))])
  })

  test("/start → asked, with the home screen as what follows a drop", () => {
    expect(reduce(oneTurn, ev(command("start")))).toEqual([
      inCase(
        { ...oneTurn, nextRequestId: 3 },
        { ...attemptOf(oneTurn), leaving: { id: 2, to: { _tag: "Home" } } },
      ),
      [Cmd.reply(t.leave.question(testCase), leaveKeyboard(2))],
    ])
  })

  test("the first line in flight, no turn yet → running too: asked", () => {
    const first = fold(reduce, started, [ev(text("первая"))])
    expect(reduce(first, ev(command("othercase")))?.[1]).toEqual([
      Cmd.reply(t.leave.question(testCase), leaveKeyboard(2)),
    ])
  })

  test("nothing said yet → replaced without a question, as before; /start is left to the root reducer", () => {
    expect(reduce(started, ev(command("othercase")))).toEqual([
      inCase({ ...started, attempts: { test_case: 1, other_case: 1 } }, newAttempt("other_case", 1, T0)),
      [
        { _tag: "RecordStat", caseId: "other_case", stat: "started" },
        Cmd.reply(otherCase.texts.algorithm, dialogueKeyboard()),
      ],
    ])
    expect(reduce(started, ev(command("start")))).toBeNull()
    expect(reduce(initialSession, ev(command("start")))).toBeNull()
  })

  test("/start without a role (auth on) → not asked: the buttons would be refused, sign-in comes first", () => {
    expect(reduce(oneTurn, ev(command("start"), { role: null }))).toBeNull()
  })

  test("a dialogue already finished, its review under way → told the review comes in a moment; nothing changes", () => {
    const reviewing = fold(reduce, oneTurn, [ev(text(t.buttons.analysis))])
    expect(reduce(reviewing, ev(command("othercase")))).toEqual([
      reviewing,
      [Cmd.reply(t.leave.reviewComing)],
    ])
    expect(reduce(reviewing, ev(command("start")))).toEqual([reviewing, [Cmd.reply(t.leave.reviewComing)]])
  })

  test("a finished dialogue whose review failed → asked: the review again, or drop it (no «continue»)", () => {
    const reviewing = fold(reduce, oneTurn, [ev(text(t.buttons.analysis))])
    const failed = fold(reduce, reviewing, [ev(aiFailed(attemptOf(reviewing).reviewRequestId!))])
    const id = failed.nextRequestId
    const [question, cmds] = reduce(failed, ev(command("othercase")))!
    expect(attemptOf(question).leaving).toEqual({
      id,
      to: { _tag: "StartCase", caseId: "other_case", level: "normal" },
    })
    expect(cmds).toEqual([Cmd.reply(t.leave.reviewQuestion(testCase), leaveReviewKeyboard(id))])
    expect(reduce(question, ev(answer(id, "stay")))).toEqual([question, stale])
    const [again, asked] = reduce(question, ev(answer(id, "finish")))!
    expect(attemptOf(again)).toMatchObject({ phase: "Reviewing", leaving: null, reviewRequestId: id + 1 })
    expect(asked).toContainEqual(Cmd.edit(900, t.leave.chosen(t.leave.buttons.review)))
    expect(asked.some((c) => c._tag === "AskReview")).toBe(true)
    const [dropped] = reduce(question, ev(answer(id, "drop")))!
    expect(attemptOf(dropped)).toMatchObject({ caseId: "other_case", phase: "Dialogue" })
  })

  test("explicit exits still need no question: «🔄 Начать заново», «🏠 В главное меню», the stop command", () => {
    expect(attemptOf(fold(reduce, oneTurn, [ev(text(t.buttons.restart))]))).toEqual(
      newAttempt("test_case", 2, T0),
    )
    expect(fold(reduce, oneTurn, [ev(text(t.buttons.menu))]).flow).toEqual(idle)
    expect(fold(reduce, oneTurn, [ev(command("testcase_stop"))]).flow).toEqual(idle)
  })
})

describe("the answers", () => {
  const settled = inCase(asked, { ...attemptOf(asked), leaving: null })

  test("continue → the question closed with a short note; the dialogue exactly as it was", () => {
    expect(reduce(asked, ev(answer(2, "stay")))).toEqual([
      settled,
      [Cmd.answer(QUERY), Cmd.edit(900, t.leave.stayed)],
    ])
    // and it goes on: the next line is sent to the persona with the history intact
    expect(reduce(settled, ev(text("продолжаю")))?.[1]).toEqual([
      { _tag: "ChatAction" },
      { _tag: "AskPersona", requestId: 3, caseId: "test_case", turns: [turn1], text: "продолжаю" },
    ])
  })

  test("finish → the manual finish with the review, counted like one", () => {
    expect(reduce(asked, ev(answer(2, "finish")))).toEqual([
      inCase(
        { ...asked, nextRequestId: 4 },
        { ...attemptOf(settled), phase: "Reviewing", reviewRequestId: 3, outcome: "manual" },
      ),
      [
        Cmd.answer(QUERY),
        Cmd.edit(900, t.leave.chosen(t.leave.buttons.finish)),
        Cmd.reply(t.manualFinish),
        { _tag: "RecordStat", caseId: "test_case", stat: "completed" },
        { _tag: "ChatAction" },
        { _tag: "AskReview", requestId: 3, caseId: "test_case", turns: [turn1], covered: ["A", "B"] },
      ],
    ])
  })

  test("finish while a line is in flight → the review waits for the answer, as with «📊 Получить анализ»", () => {
    const s = fold(reduce, oneTurn, [ev(text("вторая")), ev(command("start"))])
    const [next, cmds] = reduce(s, ev(answer(3, "finish")))!
    expect(cmds).toEqual([
      Cmd.answer(QUERY),
      Cmd.edit(900, t.leave.chosen(t.leave.buttons.finish)),
      Cmd.reply(t.finishAfterAnswer(testCase)),
    ])
    expect(attemptOf(next)).toMatchObject({ phase: "Dialogue", finishing: true, leaving: null })
    const done = fold(reduce, next, [ev(personaReplied(2, "о2"))])
    expect(attemptOf(done)).toMatchObject({ phase: "Reviewing", outcome: "manual" })
    expect(attemptOf(done).turns.map((x) => x.learner)).toEqual([turn1.learner, "вторая"])
  })

  test("drop after another case's start → that case starts; the old dialogue is gone, nothing counted for it", () => {
    expect(reduce(asked, ev(answer(2, "drop")))).toEqual([
      inCase({ ...asked, attempts: { test_case: 1, other_case: 1 } }, newAttempt("other_case", 1, T0)),
      [
        Cmd.answer(QUERY),
        Cmd.edit(900, t.leave.chosen(t.leave.buttons.drop)),
        { _tag: "RecordStat", caseId: "other_case", stat: "started" },
        Cmd.reply(otherCase.texts.algorithm, dialogueKeyboard()),
      ],
    ])
  })

  test("drop after /start → the home screen: dialogue keyboard removed, the welcome with the menu", () => {
    const home = fold(reduce, oneTurn, [ev(command("start"))])
    expect(reduce(home, ev(answer(2, "drop")))).toEqual([
      { ...home, flow: idle },
      [
        Cmd.answer(QUERY),
        Cmd.edit(900, t.leave.chosen(t.leave.buttons.drop)),
        Cmd.reply(t.left, removeReplyKeyboard),
        Cmd.reply(appTexts.welcome(FIRST_NAME), mainMenu()),
      ],
    ])
  })

  test("a question whose message cannot be edited → the note is sent as a new message", () => {
    expect(reduce(asked, ev(answer(2, "stay", null)))?.[1]).toEqual([
      Cmd.answer(QUERY),
      Cmd.reply(t.leave.stayed),
    ])
  })
})

describe("buttons of a question that no longer applies → the stale-button alert, nothing changes", () => {
  test("already answered", () => {
    const settled = fold(reduce, asked, [ev(answer(2, "stay"))])
    for (const choice of ["stay", "finish", "drop"] as const)
      expect(reduce(settled, ev(answer(2, choice)))).toEqual([settled, stale])
  })

  test("replaced by a newer question: only the newest one's buttons work", () => {
    const twice = fold(reduce, asked, [ev(command("start"))])
    expect(attemptOf(twice).leaving).toEqual({ id: 3, to: { _tag: "Home" } })
    expect(reduce(twice, ev(answer(2, "drop")))).toEqual([twice, stale])
    expect(reduce(twice, ev(answer(3, "drop")))?.[0].flow).toEqual(idle)
  })

  test("the dialogue ended meanwhile (finished, restarted, left) or never existed; a forged id", () => {
    const finished = fold(reduce, asked, [ev(text(t.buttons.analysis))])
    expect(reduce(finished, ev(answer(2, "drop")))).toEqual([finished, stale])
    const restarted = fold(reduce, asked, [ev(text(t.buttons.restart))])
    expect(reduce(restarted, ev(answer(2, "finish")))).toEqual([restarted, stale])
    const home = fold(reduce, asked, [ev(text(t.buttons.menu))])
    expect(reduce(home, ev(answer(2, "stay")))).toEqual([home, stale])
    expect(reduce(initialSession, ev(answer(2, "stay")))).toEqual([initialSession, stale])
    expect(reduce(asked, ev(answer(99, "drop")))).toEqual([asked, stale])
  })

  test("pressing «finish» twice → the second press is stale: one review", () => {
    const finished = fold(reduce, asked, [ev(answer(2, "finish"))])
    expect(reduce(finished, ev(answer(2, "finish")))).toEqual([finished, stale])
  })

  test("typing on instead of answering keeps the question open", () => {
    const talking = fold(reduce, asked, [ev(text("ещё реплика"))])
    expect(attemptOf(talking).leaving).toEqual(attemptOf(asked).leaving)
    expect(reduce(talking, ev(answer(2, "stay")))?.[1]).toEqual([
      Cmd.answer(QUERY),
      Cmd.edit(900, t.leave.stayed),
    ])
  })
})

describe("the root reducer with the registered cases", () => {
  const spec = cases[0]!
  const other = cases[1]!
  const inDialogue = fold(rootReduce, initialSession, [ev(command(spec.commands.start))])
  const talking = talk(rootReduce, inDialogue, [["Привет", "Ну", []]])

  test("/start mid-dialogue → the question instead of the welcome", () => {
    expect(rootReduce(talking, ev(command("start")))).toEqual([
      inCase(
        { ...talking, nextRequestId: 3 },
        { ...attemptOf(talking), leaving: { id: 2, to: { _tag: "Home" } } },
      ),
      [Cmd.reply(t.leave.question(spec), leaveKeyboard(2))],
    ])
  })

  test("/start with nothing said → the welcome at once, the dialogue keyboard removed (as before)", () => {
    expect(rootReduce(inDialogue, ev(command("start")))).toEqual([
      { ...inDialogue, flow: idle },
      [Cmd.reply(t.left, removeReplyKeyboard), Cmd.reply(appTexts.welcome(FIRST_NAME), mainMenu())],
    ])
  })

  test("another case's command mid-dialogue → the question; its drop starts that case", () => {
    const askedReal = fold(rootReduce, talking, [ev(command(other.commands.start))])
    expect(attemptOf(askedReal).leaving).toEqual({
      id: 2,
      to: { _tag: "StartCase", caseId: other.id, level: "normal" },
    })
    expect(attemptOf(fold(rootReduce, askedReal, [ev(answer(2, "drop"))])).caseId).toBe(other.id)
  })

  test("/logout mid-dialogue → leaves without a question (an explicit exit)", () => {
    const [next] = rootReduce(talking, ev(command("logout")))
    expect(next.flow).toEqual(idle)
  })

  test("a Leave button while idle → stale alert, not the navigation fallback", () => {
    expect(rootReduce(initialSession, ev(answer(5, "stay")))).toEqual([initialSession, stale])
  })
})
