import { describe, expect, test } from "bun:test"
import { Schema } from "effect"
import { rehearKeyboard } from "../../../src/cases/kernel/keyboards"
import { reviewPrompt } from "../../../src/cases/kernel/prompts"
import { makeRoleplayReducer } from "../../../src/cases/kernel/roleplay"
import { checklist, personaLine, kernelTexts as t } from "../../../src/cases/kernel/texts"
import { type Attempt, newAttempt } from "../../../src/core/attempt"
import { Cmd } from "../../../src/core/commands"
import { initialSession, Session } from "../../../src/core/session"
import { homeScreen } from "../../../src/nav/home"
import {
  aiFailed,
  attemptOf,
  command,
  ev,
  fold,
  personaReplied,
  review,
  reviewReady,
  T0,
  talk,
  text,
  voice,
} from "./scenario"
import { otherCase, testCase } from "./test-case"

/** «📊 Получить анализ» while the persona is still answering: the review waits, and no line is lost. */

const reduce = makeRoleplayReducer({ cases: [testCase, otherCase], home: (ev) => [homeScreen(ev)] })
const inCase = (s: Session, attempt: Attempt): Session => ({ ...s, flow: { _tag: "Case", attempt } })
const chatAction = { _tag: "ChatAction" } as const
const completed = { _tag: "RecordStat", caseId: "test_case", stat: "completed" } as const
const shown = (reply: string, covered: ReadonlyArray<string>, turn: number) =>
  Cmd.reply(`${personaLine(testCase, reply)}\n\n${checklist(testCase, covered, turn, null)}`)
const unanswered = (learner: string) => ({ learner, persona: "", covered: [] })

const started = fold(reduce, initialSession, [ev(command("testcase"))])
const turn1 = { learner: "Во вторник ты не заполнил чек-лист", persona: "И что?", covered: ["A", "B"] }
const oneTurn = talk(reduce, started, [[turn1.learner, turn1.persona, turn1.covered]])
/** Line 2 in flight as request 2. */
const asking = fold(reduce, oneTurn, [ev(text("вторая"))])
const T1 = T0 + 7_000

describe("«📊 Получить анализ» while a line is in flight", () => {
  test("→ the finish is noted in the attempt, the learner told at once; no review yet, nothing counted", () => {
    expect(reduce(asking, ev(text(t.buttons.analysis)))).toEqual([
      inCase(asking, { ...attemptOf(asking), finishing: true }),
      [Cmd.reply(t.finishAfterAnswer(testCase))],
    ])
    expect(t.finishAfterAnswer(testCase)).toBe(
      "⏳ Тест &lt;Персона&gt; &amp; Ко ещё отвечает — дождёмся ответа, и сразу будет разбор. Все твои реплики в него войдут.",
    )
  })

  const waiting = fold(reduce, asking, [ev(text(t.buttons.analysis))])

  test("pressed again while waiting → told again, the state unchanged: the review is asked for once", () => {
    expect(reduce(waiting, ev(text(t.buttons.analysis)))).toEqual([
      waiting,
      [Cmd.reply(t.finishAfterAnswer(testCase))],
    ])
  })

  test("the answer arrives → the persona's line shown, the line in the review, a manual finish", () => {
    const turns = [turn1, { learner: "вторая", persona: "Ну ладно", covered: ["C"] }]
    expect(reduce(waiting, ev(personaReplied(2, "Ну ладно", ["C"]), { now: T1 }))).toEqual([
      inCase(
        { ...waiting, nextRequestId: 4 },
        {
          ...attemptOf(waiting),
          phase: "Reviewing",
          turns,
          covered: ["A", "B", "C"],
          pending: null,
          reviewRequestId: 3,
          outcome: "manual",
        },
      ),
      [
        shown("Ну ладно", ["A", "B", "C"], 2),
        Cmd.reply(t.manualFinish),
        completed,
        chatAction,
        { _tag: "AskReview", requestId: 3, caseId: "test_case", turns, covered: ["A", "B", "C"] },
      ],
    ])
  })

  test("a stale answer while waiting → ignored, still waiting", () => {
    expect(reduce(waiting, ev(personaReplied(1, "старый ответ")))).toEqual([waiting, []])
    expect(reduce(waiting, ev(aiFailed(1)))).toEqual([waiting, []])
  })

  test("lines queued behind it are answered in order first, then the finish with all of them", () => {
    const queued = fold(reduce, asking, [ev(text("третья")), ev(text(t.buttons.analysis))])
    expect(attemptOf(queued)).toMatchObject({ finishing: true, queued: ["третья"], phase: "Dialogue" })
    const second = { learner: "вторая", persona: "о2", covered: [] }
    const [next, cmds] = reduce(queued, ev(personaReplied(2, "о2"), { now: T1 }))!
    expect([next, cmds]).toEqual([
      inCase(
        { ...queued, nextRequestId: 4 },
        {
          ...attemptOf(queued),
          turns: [turn1, second],
          pending: { requestId: 3, text: "третья", since: T1 },
          queued: [],
        },
      ),
      [
        shown("о2", ["A", "B"], 2),
        chatAction,
        { _tag: "AskPersona", requestId: 3, caseId: "test_case", turns: [turn1, second], text: "третья" },
      ],
    ])
    const turns = [turn1, second, { learner: "третья", persona: "о3", covered: [] }]
    expect(reduce(next, ev(personaReplied(3, "о3")))?.[1]).toEqual([
      shown("о3", ["A", "B"], 3),
      Cmd.reply(t.manualFinish),
      completed,
      chatAction,
      { _tag: "AskReview", requestId: 4, caseId: "test_case", turns, covered: ["A", "B"] },
    ])
  })

  test("a line typed after the press is queued and answered too, before the review", () => {
    const s = fold(reduce, asking, [
      ev(text(t.buttons.analysis)),
      ev(text("после кнопки")),
      ev(personaReplied(2, "о2")),
      ev(personaReplied(3, "о3")),
    ])
    expect(attemptOf(s)).toMatchObject({ phase: "Reviewing", outcome: "manual", reviewRequestId: 4 })
    expect(attemptOf(s).turns.map((x) => [x.learner, x.persona])).toEqual([
      [turn1.learner, turn1.persona],
      ["вторая", "о2"],
      ["после кнопки", "о3"],
    ])
  })

  test("everything covered on the answer → still the manual finish the learner asked for, counted once", () => {
    const [next, cmds] = reduce(
      fold(reduce, asking, [ev(text(t.buttons.analysis))]),
      ev(personaReplied(2, "Ладно", ["C", "D", "E"])),
    )!
    expect(attemptOf(next)).toMatchObject({ outcome: "manual", covered: ["A", "B", "C", "D", "E"] })
    expect(cmds.filter((c) => c._tag === "RecordStat")).toEqual([completed])
  })

  test("queued lines past the turn limit are not sent to the persona but go into the review unanswered", () => {
    const three = talk(reduce, started, [
      ["раз", "р1", []],
      ["два", "р2", []],
      ["три", "р3", []],
    ])
    const s = fold(reduce, three, [ev(text("четыре")), ev(text("пять")), ev(text(t.buttons.analysis))])
    const [next, cmds] = reduce(s, ev(personaReplied(4, "р4")))!
    const turns = [
      ...attemptOf(s).turns,
      { learner: "четыре", persona: "р4", covered: [] },
      unanswered("пять"),
    ]
    expect(attemptOf(next)).toMatchObject({ phase: "Reviewing", outcome: "manual", turns, queued: [] })
    expect(cmds.at(-1)).toEqual({ _tag: "AskReview", requestId: 5, caseId: "test_case", turns, covered: [] })
  })

  test("the first line still in flight (no turn yet) → the review waits for it (it used to say «too short»)", () => {
    const first = fold(reduce, started, [ev(text("первая"))])
    const [waitingFirst, cmds] = reduce(first, ev(text(t.buttons.analysis)))!
    expect(cmds).toEqual([Cmd.reply(t.finishAfterAnswer(testCase))])
    const done = fold(reduce, waitingFirst, [ev(personaReplied(1, "о1"))])
    expect(attemptOf(done)).toMatchObject({
      phase: "Reviewing",
      outcome: "manual",
      turns: [{ learner: "первая", persona: "о1", covered: [] }],
    })
  })

  test("«🔄 Начать заново» while waiting → a fresh attempt; the late answer changes nothing", () => {
    const restarted = fold(reduce, waiting, [ev(text(t.buttons.restart))])
    expect(attemptOf(restarted)).toEqual(newAttempt("test_case", 2, T0))
    expect(reduce(restarted, ev(personaReplied(2, "поздно")))).toEqual([restarted, []])
  })
})

describe("the answer fails while the finish waits: the words still reach the review", () => {
  const queued = fold(reduce, asking, [ev(text("третья")), ev(text(t.buttons.analysis))])
  const turns = [turn1, unanswered("вторая"), unanswered("третья")]
  const reviewing = (notice: string) =>
    [
      inCase(
        { ...queued, nextRequestId: 4 },
        {
          ...attemptOf(queued),
          phase: "Reviewing",
          turns,
          pending: null,
          queued: [],
          failed: null,
          reviewRequestId: 3,
          outcome: "manual",
        },
      ),
      [
        Cmd.reply(notice),
        Cmd.reply(t.manualFinish),
        completed,
        chatAction,
        { _tag: "AskReview", requestId: 3, caseId: "test_case", turns, covered: ["A", "B"] },
      ],
    ] as const

  test("AiFailed → no retry offered: told so, a manual finish with the lines in the review unanswered", () => {
    expect(reduce(queued, ev(aiFailed(2)))).toEqual(reviewing(t.finishUnanswered(testCase)))
  })

  test("the daily limit → the limit explained, the same finish (the review is not a persona turn)", () => {
    expect(reduce(queued, ev(aiFailed(2, "daily_limit")))).toEqual(reviewing(t.finishOverLimit(testCase)))
  })

  test("a failure of a later queued line → the answered ones keep their answers", () => {
    const s = fold(reduce, queued, [ev(personaReplied(2, "о2")), ev(aiFailed(3))])
    expect(attemptOf(s).turns).toEqual([
      turn1,
      { learner: "вторая", persona: "о2", covered: [] },
      unanswered("третья"),
    ])
    expect(attemptOf(s)).toMatchObject({ phase: "Reviewing", outcome: "manual" })
  })

  test("then the review arrives → shown and saved with the unanswered lines", () => {
    const [, cmds] = reduce(fold(reduce, queued, [ev(aiFailed(2))]), ev(reviewReady(3, review)))!
    const save = cmds.find((c) => c._tag === "SaveAttempt")
    expect(save?._tag === "SaveAttempt" && save.attempt.turns).toEqual(turns)
  })

  test("the reviewer sees an unanswered line marked as such, not as an empty reply", () => {
    const prompt = reviewPrompt(testCase, [turn1, unanswered("вторая")], ["A", "B"])
    expect(JSON.parse(prompt.messages[0]!.content)).toEqual([
      { speaker: "Руководитель", text: turn1.learner },
      { speaker: testCase.persona.name, text: "И что?" },
      { speaker: "Руководитель", text: "вторая" },
      { speaker: testCase.persona.name, text: t.noAnswer },
    ])
    expect(prompt.system).toContain("пометка в скобках, что ответа не было")
  })
})

describe("«📊 Получить анализ» after a failed line (the retry was offered)", () => {
  test("→ finished now; the failed line and those queued behind it go in unanswered, not dropped", () => {
    const failed = fold(reduce, asking, [ev(text("третья")), ev(aiFailed(2))])
    expect(attemptOf(failed)).toMatchObject({ failed: "вторая", queued: ["третья"], pending: null })
    const turns = [turn1, unanswered("вторая"), unanswered("третья")]
    expect(reduce(failed, ev(text(t.buttons.analysis)))).toEqual([
      inCase(
        { ...failed, nextRequestId: 4 },
        {
          ...attemptOf(failed),
          phase: "Reviewing",
          turns,
          failed: null,
          queued: [],
          reviewRequestId: 3,
          outcome: "manual",
        },
      ),
      [
        Cmd.reply(t.manualFinish),
        completed,
        chatAction,
        { _tag: "AskReview", requestId: 3, caseId: "test_case", turns, covered: ["A", "B"] },
      ],
    ])
  })
})

describe("the finish request is stored with the attempt", () => {
  const decode = Schema.decodeUnknownSync(Session)

  test("a waiting attempt survives the JSON round trip of the session store", () => {
    const waiting = fold(reduce, asking, [ev(text(t.buttons.analysis))])
    expect(decode(JSON.parse(JSON.stringify(waiting)))).toEqual(waiting)
  })

  test("a session stored before these fields existed decodes: no finish requested, no question open", () => {
    const { finishing: _f, leaving: _l, hearing: _h, ...old } = attemptOf(asking)
    const stored = JSON.parse(JSON.stringify({ ...asking, flow: { _tag: "Case", attempt: old } }))
    expect(attemptOf(decode(stored))).toEqual({
      ...attemptOf(asking),
      finishing: false,
      leaving: null,
      hearing: 0,
    })
  })

  test("a fresh attempt starts with neither", () => {
    expect(attemptOf(started)).toMatchObject({ finishing: false, leaving: null })
  })
})

describe("«📊 Получить анализ» while a voice line is still being transcribed", () => {
  const speaking = fold(reduce, oneTurn, [ev(voice)])
  const ticket = attemptOf(speaking).lineup[0]!.ticket!
  const transcribed = (line: string) =>
    ({
      _tag: "Feedback",
      event: { _tag: "Transcribed", caseId: "test_case", attempt: 1, ticket, text: line },
    }) as const
  const unheard = {
    _tag: "Feedback",
    event: { _tag: "TranscriptionFailed", caseId: "test_case", attempt: 1, ticket, reason: "timeout" },
  } as const
  const waiting = fold(reduce, speaking, [ev(text(t.buttons.analysis))])

  test("the voice is counted as in flight; the finish waits for it, the learner told so", () => {
    expect(attemptOf(speaking).hearing).toBe(1)
    expect(reduce(speaking, ev(text(t.buttons.analysis)))).toEqual([
      inCase(speaking, { ...attemptOf(speaking), finishing: true }),
      [Cmd.reply(t.finishAfterVoice)],
    ])
  })

  test("heard → sent to the persona; its answer → the voice line is in the review", () => {
    const heard = fold(reduce, waiting, [ev(transcribed("голосом про вторник"))])
    expect(attemptOf(heard)).toMatchObject({
      hearing: 0,
      finishing: true,
      pending: { text: "голосом про вторник" },
    })
    const [next] = reduce(heard, ev(personaReplied(attemptOf(heard).pending!.requestId, "Понял.")))!
    expect(attemptOf(next)).toMatchObject({ phase: "Reviewing", outcome: "manual" })
    expect(attemptOf(next).turns.map((turn) => turn.learner)).toEqual([turn1.learner, "голосом про вторник"])
  })

  test("not heard → the failure said, then the finish with what was said before", () => {
    const [next, cmds] = reduce(waiting, ev(unheard))!
    expect(attemptOf(next)).toMatchObject({
      phase: "Reviewing",
      outcome: "manual",
      hearing: 0,
      turns: [turn1],
    })
    expect(cmds[0]).toEqual(Cmd.reply(t.voiceFailed))
  })

  test("without a finish request, a failed voice line is kept for «🔁 Распознать ещё раз»", () => {
    const [next, cmds] = reduce(speaking, ev(unheard))!
    const { voice: kept } = attemptOf(speaking).lineup[0]!
    expect(next).toEqual(
      inCase(speaking, { ...attemptOf(speaking), hearing: 0, lineup: [], unheard: [kept!] }),
    )
    expect(cmds).toEqual([Cmd.reply(t.voiceFailedKept, rehearKeyboard("test_case"))])
  })
})

describe("the dialogue ends by itself with lines still queued", () => {
  test("the last allowed turn answered → the queued lines go into the review unanswered", () => {
    const full = talk(
      reduce,
      started,
      Array.from({ length: testCase.maxTurns - 1 }, (_, i) => [`реплика ${i}`, "ответ", []] as const),
    )
    const lastAsked = fold(reduce, full, [ev(text("последняя")), ev(text("ещё одна"))])
    const [next] = reduce(lastAsked, ev(personaReplied(attemptOf(lastAsked).pending!.requestId, "Всё.")))!
    expect(attemptOf(next)).toMatchObject({ phase: "Reviewing", outcome: "out_of_moves", queued: [] })
    expect(attemptOf(next).turns.at(-1)).toEqual(unanswered("ещё одна"))
  })
})
