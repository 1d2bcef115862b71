import { describe, expect, test } from "bun:test"
import {
  afterReviewKeyboard,
  caseCardKeyboard,
  dialogueKeyboard,
  rehearKeyboard,
  removeReplyKeyboard,
  retryKeyboard,
  retryReviewKeyboard,
} from "../../../src/cases/kernel/keyboards"
import { makeRoleplayReducer } from "../../../src/cases/kernel/roleplay"
import type { CaseSpec } from "../../../src/cases/kernel/spec"
import { checklist, personaLine, renderReview, kernelTexts as t } from "../../../src/cases/kernel/texts"
import { type Attempt, newAttempt } from "../../../src/core/attempt"
import { callbackData } from "../../../src/core/callback-data"
import { Cmd, type Keyboard } from "../../../src/core/commands"
import { idle, initialSession, type Session } from "../../../src/core/session"
import { homeScreen } from "../../../src/nav/home"
import { mainMenu } from "../../../src/nav/keyboards"
import { texts as appTexts } from "../../../src/nav/texts"
import { plain } from "../../support/review-header"
import {
  aiFailed,
  attemptOf,
  card,
  command,
  ev,
  FIRST_NAME,
  fold,
  personaReplied,
  press,
  QUERY,
  review,
  reviewReady,
  T0,
  talk,
  text,
  voice,
} from "./scenario"
import { otherCase, testCase } from "./test-case"

/** Two cases from data alone: the one kernel reducer runs both, with no code of their own. */
const reduce = makeRoleplayReducer({ cases: [testCase, otherCase], home: (ev) => [homeScreen(ev)] })

const inCase = (s: Session, attempt: Attempt): Session => ({ ...s, flow: { _tag: "Case", attempt } })
const stat = (caseId: string, name: "started" | "completed" | "out_of_moves" | "auto_finished") =>
  ({ _tag: "RecordStat", caseId, stat: name }) as const
const chatAction = { _tag: "ChatAction" } as const

/** The persona's message as the learner sees it: the line plus, when shown, the live checklist. */
const personaMessage = (
  spec: CaseSpec,
  reply: string,
  covered: ReadonlyArray<string>,
  turn: number,
  thisTurn: ReadonlyArray<string> | null = null,
) =>
  spec.liveChecklist || thisTurn !== null
    ? Cmd.reply(`${personaLine(spec, reply)}\n\n${checklist(spec, covered, turn, thisTurn)}`)
    : Cmd.reply(personaLine(spec, reply))

/** /testcase at T0: a fresh attempt, nothing said yet. */
const started = fold(reduce, initialSession, [ev(command("testcase"))])

/** One answered turn (A, B covered) and the second line in flight as request 2. */
const oneTurn = talk(reduce, started, [["Во вторник ты не заполнил чек-лист", "И что?", ["A", "B"]]])
const turn1 = { learner: "Во вторник ты не заполнил чек-лист", persona: "И что?", covered: ["A", "B"] }

describe("case card", () => {
  test("CaseCard callback → the description edited in place with the card keyboard", () => {
    expect(reduce(initialSession, ev(card("test_case", 777)))).toEqual([
      initialSession,
      [
        Cmd.answer(QUERY),
        Cmd.edit(777, `${testCase.texts.description}\n\n${t.levelsNote}`, caseCardKeyboard("test_case")),
      ],
    ])
  })

  test("CaseCard callback without a message to edit → the description sent as a new message", () => {
    expect(reduce(initialSession, ev(card("other_case", null)))).toEqual([
      initialSession,
      [
        Cmd.answer(QUERY),
        Cmd.reply(`${otherCase.texts.description}\n\n${t.levelsNote}`, caseCardKeyboard("other_case")),
      ],
    ])
  })

  test("the card's buttons carry this case's id", () => {
    expect(caseCardKeyboard("other_case")).toEqual({
      _tag: "Inline",
      rows: [
        [{ text: t.buttons.start, data: "case:other_case:start" }],
        [
          { text: t.buttons.soft, data: "case:other_case:soft" },
          { text: t.buttons.normal, data: "case:other_case:start" },
          { text: t.buttons.hard, data: "case:other_case:hard" },
        ],
        [{ text: t.buttons.theory, data: "case:other_case:theory" }],
        [{ text: appTexts.buttons.menu, data: callbackData.nav("menu") }],
      ],
    })
  })

  test("a card or a button of an unknown case → stale-button alert, state untouched", () => {
    const stale = [Cmd.answer(QUERY, appTexts.staleButton, true)]
    expect(reduce(oneTurn, ev(card("no_such_case")))).toEqual([oneTurn, stale])
    expect(reduce(oneTurn, ev(press("no_such_case", "start")))).toEqual([oneTurn, stale])
  })

  test("the theory button → the guide is sent, the dialogue untouched", () => {
    expect(reduce(oneTurn, ev(press("test_case", "theory")))).toEqual([
      oneTurn,
      [Cmd.answer(QUERY, t.guideSent), { _tag: "SendGuide", caseId: "test_case" }],
    ])
  })
})

describe("start", () => {
  const fresh: Attempt = {
    caseId: "test_case",
    number: 1,
    startedAt: T0,
    phase: "Dialogue",
    turns: [],
    covered: [],
    pending: null,
    queued: [],
    failed: null,
    reviewRequestId: null,
    outcome: null,
    dialogueModel: null,
    finishing: false,
    leaving: null,
    hearing: 0,
    lineup: [],
    unheard: [],
    level: "normal",
    hints: 0,
    closing: false,
  }

  test("start button → a fresh attempt №1, counted as started, the algorithm with the dialogue keyboard", () => {
    expect(reduce(initialSession, ev(press("test_case", "start")))).toEqual([
      { ...initialSession, flow: { _tag: "Case", attempt: fresh }, attempts: { test_case: 1 } },
      [
        Cmd.answer(QUERY),
        stat("test_case", "started"),
        Cmd.reply(testCase.texts.algorithm, dialogueKeyboard()),
      ],
    ])
  })

  test("/testcase → the same, without a callback to answer", () => {
    expect(reduce(initialSession, ev(command("testcase")))).toEqual([
      { ...initialSession, flow: { _tag: "Case", attempt: fresh }, attempts: { test_case: 1 } },
      [stat("test_case", "started"), Cmd.reply(testCase.texts.algorithm, dialogueKeyboard())],
    ])
  })

  test("the dialogue keyboard: hint + analysis, then restart + menu, with the input placeholder", () => {
    expect(dialogueKeyboard()).toEqual({
      _tag: "Reply",
      rows: [
        [t.buttons.hint, t.buttons.analysis],
        [t.buttons.restart, t.buttons.menu],
      ],
      placeholder: t.inputPlaceholder,
    })
  })

  test("start button again while the dialogue has turns → only the already-running toast, nothing counted", () => {
    expect(reduce(oneTurn, ev(press("test_case", "start")))).toEqual([
      oneTurn,
      [Cmd.answer(QUERY, t.alreadyRunning)],
    ])
  })

  test("/testcase during a dialogue with no words yet → replaced at once: attempt №2, nothing asked", () => {
    expect(reduce(started, ev(command("testcase")))).toEqual([
      inCase({ ...started, attempts: { test_case: 2 } }, newAttempt("test_case", 2, T0)),
      [stat("test_case", "started"), Cmd.reply(testCase.texts.algorithm, dialogueKeyboard())],
    ])
  })

  test("start button again while the first line is in flight → already running", () => {
    const asking = fold(reduce, started, [ev(text("Привет"))])
    expect(reduce(asking, ev(press("test_case", "start")))).toEqual([
      asking,
      [Cmd.answer(QUERY, t.alreadyRunning)],
    ])
  })

  test("restart button → attempt №2 of the same case, started counted again", () => {
    const later = T0 + 60_000
    const reviewed = fold(reduce, oneTurn, [ev(text(t.buttons.analysis)), ev(reviewReady(2, review))])
    const [next, cmds] = reduce(reviewed, ev(press("test_case", "restart"), { now: later }))!
    expect([next, cmds]).toEqual([
      inCase({ ...reviewed, attempts: { test_case: 2 } }, newAttempt("test_case", 2, later)),
      [
        Cmd.answer(QUERY),
        stat("test_case", "started"),
        Cmd.reply(testCase.texts.algorithm, dialogueKeyboard()),
      ],
    ])
    // request ids never go back: a late answer to the old attempt cannot match a new request
    expect(next.nextRequestId).toBe(reviewed.nextRequestId)
  })

  test("starting another case leaves this one (nothing said yet): attempts are counted per case", () => {
    const [next, cmds] = reduce(started, ev(press("other_case", "start")))!
    expect([next, cmds]).toEqual([
      inCase({ ...started, attempts: { test_case: 1, other_case: 1 } }, newAttempt("other_case", 1, T0)),
      [
        Cmd.answer(QUERY),
        stat("other_case", "started"),
        Cmd.reply(otherCase.texts.algorithm, dialogueKeyboard()),
      ],
    ])
  })
})

describe("a text turn", () => {
  const T1 = T0 + 5_000

  test("Text → pending request 1, next id 2, typing + AskPersona with the empty history", () => {
    expect(reduce(started, ev(text("Привет, Тест"), { now: T1 }))).toEqual([
      inCase(
        { ...started, nextRequestId: 2 },
        { ...attemptOf(started), pending: { requestId: 1, text: "Привет, Тест", since: T1 } },
      ),
      [
        chatAction,
        { _tag: "AskPersona", requestId: 1, caseId: "test_case", turns: [], text: "Привет, Тест" },
      ],
    ])
  })

  test("PersonaReplied for the pending request → the turn recorded, covered united, persona line + checklist", () => {
    const asking = fold(reduce, started, [ev(text("Привет, Тест"), { now: T1 })])
    expect(reduce(asking, ev(personaReplied(1, "Ну здравствуй", ["B", "A"]), { now: T1 + 1 }))).toEqual([
      inCase(asking, {
        ...attemptOf(started),
        dialogueModel: "test-model",
        turns: [{ learner: "Привет, Тест", persona: "Ну здравствуй", covered: ["B", "A"] }],
        covered: ["B", "A"],
      }),
      [personaMessage(testCase, "Ну здравствуй", ["B", "A"], 1)],
    ])
  })

  test("the second turn's history carries the first turn; covered is a union without repeats", () => {
    const asking = fold(reduce, oneTurn, [ev(text("Из-за этого стояли"), { now: T1 })])
    expect(asking.nextRequestId).toBe(3)
    expect(reduce(asking, ev(personaReplied(2, "Бывает", ["B", "C"]), { now: T1 + 1 }))).toEqual([
      inCase(asking, {
        ...attemptOf(oneTurn),
        turns: [turn1, { learner: "Из-за этого стояли", persona: "Бывает", covered: ["B", "C"] }],
        covered: ["A", "B", "C"],
      }),
      [personaMessage(testCase, "Бывает", ["A", "B", "C"], 2)],
    ])
    expect(reduce(oneTurn, ev(text("Из-за этого стояли"), { now: T1 }))?.[1]).toEqual([
      chatAction,
      { _tag: "AskPersona", requestId: 2, caseId: "test_case", turns: [turn1], text: "Из-за этого стояли" },
    ])
  })

  test("a reply with a stale request id → ignored, no command", () => {
    const asking = fold(reduce, oneTurn, [ev(text("Ещё реплика"))])
    expect(reduce(asking, ev(personaReplied(1, "старый ответ", ["A"])))).toEqual([asking, []])
    expect(reduce(asking, ev(personaReplied(99, "чужой ответ", ["A"])))).toEqual([asking, []])
    expect(reduce(oneTurn, ev(personaReplied(2, "ответ без запроса")))).toEqual([oneTurn, []])
  })

  test("the persona's reply is escaped: '<', '&' in its text cannot break the HTML", () => {
    const asking = fold(reduce, started, [ev(text("Привет"))])
    const [, cmds] = reduce(asking, ev(personaReplied(1, "a < b && <i>c</i>")))!
    expect(cmds).toEqual([personaMessage(testCase, "a < b && <i>c</i>", [], 1)])
    expect(personaLine(testCase, "a < b && <i>c</i>")).toBe(
      "🧪 <b>Тест &lt;Персона&gt; &amp; Ко:</b> a &lt; b &amp;&amp; &lt;i&gt;c&lt;/i&gt;",
    )
  })
})

describe("two messages at once", () => {
  test("a second Text while the first is pending → queued, no command", () => {
    const asking = fold(reduce, started, [ev(text("первая"))])
    expect(reduce(asking, ev(text("вторая")))).toEqual([
      inCase(asking, { ...attemptOf(asking), queued: ["вторая"] }),
      [],
    ])
  })

  test("the first reply arrives → its turn recorded AND the queued line sent as request 2", () => {
    const T1 = T0 + 3_000
    const queued = fold(reduce, started, [ev(text("первая")), ev(text("вторая")), ev(text("третья"))])
    const first = { learner: "первая", persona: "ответ 1", covered: ["A"] }
    expect(reduce(queued, ev(personaReplied(1, "ответ 1", ["A"]), { now: T1 }))).toEqual([
      inCase(
        { ...queued, nextRequestId: 3 },
        {
          ...attemptOf(started),
          dialogueModel: "test-model",
          turns: [first],
          covered: ["A"],
          pending: { requestId: 2, text: "вторая", since: T1 },
          queued: ["третья"],
        },
      ),
      [
        personaMessage(testCase, "ответ 1", ["A"], 1),
        chatAction,
        { _tag: "AskPersona", requestId: 2, caseId: "test_case", turns: [first], text: "вторая" },
      ],
    ])
  })

  test("three lines sent at once → three consecutive turns, none lost or doubled", () => {
    const s = fold(reduce, started, [
      ev(text("первая")),
      ev(text("вторая")),
      ev(text("третья")),
      ev(personaReplied(1, "ответ 1")),
      ev(personaReplied(1, "ответ 1 повтор")), // a duplicate delivery of the same answer
      ev(personaReplied(2, "ответ 2")),
      ev(personaReplied(3, "ответ 3")),
    ])
    expect(attemptOf(s)).toEqual({
      ...attemptOf(started),
      dialogueModel: "test-model",
      turns: [
        { learner: "первая", persona: "ответ 1", covered: [] },
        { learner: "вторая", persona: "ответ 2", covered: [] },
        { learner: "третья", persona: "ответ 3", covered: [] },
      ],
    })
    expect(s.nextRequestId).toBe(4)
  })
})

describe("early finish: every step heard, then the learner closes the conversation", () => {
  const T2 = T0 + 20_000
  const all = ["A", "B", "C", "D", "E"]
  const turn2 = { learner: "Мне тревожно. Что предлагаешь?", persona: "Ладно", covered: ["C", "D", "E"] }

  test("all five with ≥ 2 turns → the persona's line and the invitation to close; no review yet", () => {
    const asking = fold(reduce, oneTurn, [ev(text("Мне тревожно. Что предлагаешь?"))])
    expect(reduce(asking, ev(personaReplied(2, "Ладно", ["C", "D", "E"]), { now: T2 }))).toEqual([
      inCase(asking, {
        ...attemptOf(started),
        turns: [turn1, turn2],
        dialogueModel: "test-model",
        covered: all,
        closing: true,
      }),
      [personaMessage(testCase, "Ладно", all, 2), Cmd.reply(t.closeNow)],
    ])
  })

  test("the closing line is answered by the persona → completed + auto_finished, review asked", () => {
    const closing = fold(reduce, oneTurn, [
      ev(text("Мне тревожно. Что предлагаешь?")),
      ev(personaReplied(2, "Ладно", ["C", "D", "E"]), { now: T2 }),
      ev(text("Спасибо, договорились. Я в тебя верю")),
    ])
    const turn3 = { learner: "Спасибо, договорились. Я в тебя верю", persona: "И вам спасибо", covered: [] }
    const turns = [turn1, turn2, turn3]
    expect(reduce(closing, ev(personaReplied(3, "И вам спасибо", []), { now: T2 + 5000 }))).toEqual([
      inCase(
        { ...closing, nextRequestId: 5 },
        {
          ...attemptOf(started),
          phase: "Reviewing",
          turns,
          dialogueModel: "test-model",
          covered: all,
          closing: true,
          reviewRequestId: 4,
          outcome: "completed",
        },
      ),
      [
        personaMessage(testCase, "И вам спасибо", all, 3),
        Cmd.reply(t.allCovered),
        stat("test_case", "completed"),
        stat("test_case", "auto_finished"),
        chatAction,
        { _tag: "AskReview", requestId: 4, caseId: "test_case", turns, covered: all },
      ],
    ])
  })

  test("«📊 Получить анализ» instead of the closing line → the review at once; the attempt counts as completed", () => {
    const closing = fold(reduce, oneTurn, [
      ev(text("Мне тревожно. Что предлагаешь?")),
      ev(personaReplied(2, "Ладно", ["C", "D", "E"]), { now: T2 }),
    ])
    const [next, cmds] = reduce(closing, ev(text(t.buttons.analysis)))!
    expect(attemptOf(next)).toMatchObject({ phase: "Reviewing", outcome: "completed", closing: true })
    expect(cmds.slice(0, 2)).toEqual([Cmd.reply(t.manualFinish), stat("test_case", "completed")])
  })

  test("a line the learner already sent becomes the closing line", () => {
    const asking = fold(reduce, oneTurn, [ev(text("Мне тревожно. Что предлагаешь?")), ev(text("Спасибо!"))])
    const [next, cmds] = reduce(asking, ev(personaReplied(2, "Ладно", ["C", "D", "E"]), { now: T2 }))!
    expect(attemptOf(next)).toMatchObject({
      closing: true,
      queued: [],
      pending: { requestId: 3, text: "Спасибо!" },
    })
    expect(cmds.slice(0, 2)).toEqual([personaMessage(testCase, "Ладно", all, 2), Cmd.reply(t.closeNow)])
    expect(cmds.at(-1)).toMatchObject({ _tag: "AskPersona", requestId: 3, text: "Спасибо!" })
  })

  test("all five covered in the FIRST turn → the dialogue goes on (needs ≥ 2 turns)", () => {
    const asking = fold(reduce, started, [ev(text("всё сразу"))])
    expect(reduce(asking, ev(personaReplied(1, "Ого", all)))).toEqual([
      inCase(asking, {
        ...attemptOf(started),
        dialogueModel: "test-model",
        turns: [{ learner: "всё сразу", persona: "Ого", covered: all }],
        covered: all,
      }),
      [personaMessage(testCase, "Ого", all, 1)],
    ])
  })

  test("everything covered in turn 1, a plain second turn → the invitation; a third closes it", () => {
    const s = talk(reduce, started, [
      ["всё сразу", "Ого", all],
      ["ну вот", "Ладно", []],
    ])
    expect(attemptOf(s)).toMatchObject({ phase: "Dialogue", closing: true, covered: all })
    const closed = talk(reduce, s, [["До встречи", "Пока", []]])
    expect(attemptOf(closed)).toMatchObject({ phase: "Reviewing", outcome: "completed", covered: all })
  })

  test("every step heard on the last allowed turn → no room for a closing line: completed at once", () => {
    const s = talk(reduce, started, [
      ["раз", "р1", ["A"]],
      ["два", "р2", ["B"]],
      ["три", "р3", ["C"]],
      ["четыре", "р4", ["D", "E"]],
    ])
    expect(attemptOf(s)).toMatchObject({ phase: "Reviewing", outcome: "completed", closing: false })
  })
})

describe("max turns", () => {
  const lines = [
    ["раз", "р1", ["A"]],
    ["два", "р2", []],
    ["три", "р3", ["B"]],
  ] as const

  test("the 4th turn without all components → persona line, out of turns, out_of_moves + auto_finished, review", () => {
    const s = fold(reduce, talk(reduce, started, lines), [ev(text("четыре"))])
    const turns = [
      ...lines.map(([learner, persona, covered]) => ({ learner, persona, covered: [...covered] })),
      { learner: "четыре", persona: "р4", covered: ["C"] },
    ]
    expect(reduce(s, ev(personaReplied(4, "р4", ["C"])))).toEqual([
      inCase(
        { ...s, nextRequestId: 6 },
        {
          ...attemptOf(started),
          phase: "Reviewing",
          turns,
          dialogueModel: "test-model",
          covered: ["A", "B", "C"],
          reviewRequestId: 5,
          outcome: "out_of_moves",
        },
      ),
      [
        personaMessage(testCase, "р4", ["A", "B", "C"], 4),
        Cmd.reply(t.outOfTurns(testCase)),
        stat("test_case", "out_of_moves"),
        stat("test_case", "auto_finished"),
        chatAction,
        { _tag: "AskReview", requestId: 5, caseId: "test_case", turns, covered: ["A", "B", "C"] },
      ],
    ])
    expect(t.outOfTurns(testCase)).toContain("все 4 сказаны")
  })

  test("each case has its own limit: other_case (6 turns) is still talking after 4 and ends after 6", () => {
    const other = fold(reduce, initialSession, [ev(command("othercase"))])
    const say = (n: number) => Array.from({ length: n }, (_, i) => [`л${i}`, `о${i}`, []] as const)
    expect(attemptOf(talk(reduce, other, say(5)))).toMatchObject({ phase: "Dialogue", outcome: null })
    expect(attemptOf(talk(reduce, other, say(6)))).toMatchObject({
      phase: "Reviewing",
      outcome: "out_of_moves",
    })
  })

  test("all covered on the last allowed turn → completed, not out of moves", () => {
    const s = talk(reduce, started, [
      ["раз", "р1", ["A"]],
      ["два", "р2", []],
      ["три", "р3", []],
      ["четыре", "р4", ["B", "C", "D", "E"]],
    ])
    expect(attemptOf(s).outcome).toBe("completed")
  })
})

describe("manual finish", () => {
  test("«📊 Получить анализ» with no turns → too short, nothing counted, state unchanged", () => {
    expect(reduce(started, ev(text(t.buttons.analysis)))).toEqual([
      started,
      [Cmd.reply(t.tooShort(testCase))],
    ])
  })

  test("with ≥ 1 turn → manual finish, completed only, review asked", () => {
    expect(reduce(oneTurn, ev(text(t.buttons.analysis)))).toEqual([
      inCase(
        { ...oneTurn, nextRequestId: 3 },
        {
          ...attemptOf(oneTurn),
          phase: "Reviewing",
          reviewRequestId: 2,
          outcome: "manual",
        },
      ),
      [
        Cmd.reply(t.manualFinish),
        stat("test_case", "completed"),
        chatAction,
        { _tag: "AskReview", requestId: 2, caseId: "test_case", turns: [turn1], covered: ["A", "B"] },
      ],
    ])
  })

  test("pressed again (or a line typed) while the review is being prepared → told it is on its way and the dialogue is over; no second review, no stats", () => {
    const reviewing = fold(reduce, oneTurn, [ev(text(t.buttons.analysis))])
    expect(reduce(reviewing, ev(text(t.buttons.analysis)))).toEqual([
      reviewing,
      [Cmd.reply(t.reviewInProgress)],
    ])
    expect(reduce(reviewing, ev(text("ещё реплика")))).toEqual([reviewing, [Cmd.reply(t.reviewInProgress)]])
  })
})

describe("review", () => {
  const reviewing = fold(reduce, oneTurn, [ev(text(t.buttons.analysis))])
  const T9 = T0 + 90_000

  test("ReviewReady for the review request → Reviewed, reviews + 1, review shown, attempt saved, progress asked", () => {
    const attempt: Attempt = { ...attemptOf(reviewing), number: 1, phase: "Reviewed", reviewRequestId: null }
    expect(reduce(reviewing, ev(reviewReady(2, review, "gpt-test"), { now: T9 }))).toEqual([
      { ...inCase(reviewing, attempt), reviews: 1, reviewed: { test_case: 1 } },
      [
        Cmd.reply(renderReview(testCase, review, ["A", "B"], plain(1)), removeReplyKeyboard),
        { _tag: "SaveAttempt", attempt, review, reviewModel: "gpt-test", endedAt: T9, verdict: null },
        { _tag: "LoadProgress", caseId: "test_case" },
      ],
    ])
  })

  test("a stale ReviewReady → ignored", () => {
    expect(reduce(reviewing, ev(reviewReady(1, review)))).toEqual([reviewing, []])
    expect(reduce(oneTurn, ev(reviewReady(2, review)))).toEqual([oneTurn, []])
  })

  test("a second ReviewReady for the same request → ignored (no second save, no second survey)", () => {
    const reviewed = fold(reduce, reviewing, [ev(reviewReady(2, review))])
    expect(reduce(reviewed, ev(reviewReady(2, review)))).toEqual([reviewed, []])
  })

  test("the after-review restart button restarts THIS case (the original hard-coded fb_employee)", () => {
    const restart = (keyboard: Keyboard) =>
      keyboard._tag === "Inline" ? callbackData.decode(keyboard.rows[0]![0]!.data) : null
    expect(restart(afterReviewKeyboard("other_case"))).toEqual({
      _tag: "Case",
      caseId: "other_case",
      action: "restart",
    })
    expect(afterReviewKeyboard("other_case")).toEqual({
      _tag: "Inline",
      rows: [
        [{ text: t.buttons.tryAgain, data: "case:other_case:restart" }],
        [{ text: appTexts.buttons.menu, data: "nav:menu" }],
      ],
    })

    // other_case, to the end: its review offers other_case's restart, and that button restarts other_case
    const other = talk(reduce, fold(reduce, initialSession, [ev(command("othercase"))]), [
      ["привет", "ну", []],
    ])
    const reviewing = fold(reduce, other, [ev(text(t.buttons.analysis))])
    const [reviewed, cmds] = reduce(reviewing, ev(reviewReady(2, review)))!
    expect(cmds[2]).toEqual({ _tag: "LoadProgress", caseId: "other_case" })
    expect(reduce(reviewed, ev(press("other_case", "restart")))).toEqual([
      inCase({ ...reviewed, attempts: { other_case: 2 } }, newAttempt("other_case", 2, T0)),
      [
        Cmd.answer(QUERY),
        stat("other_case", "started"),
        Cmd.reply(otherCase.texts.algorithm, dialogueKeyboard()),
      ],
    ])
  })

  test("after the review, free text → the after-review offer again", () => {
    const reviewed = fold(reduce, reviewing, [ev(reviewReady(2, review))])
    expect(reduce(reviewed, ev(text("а ещё?")))).toEqual([
      reviewed,
      [Cmd.reply(t.afterReview, afterReviewKeyboard("test_case"))],
    ])
    expect(reduce(reviewed, ev(text(t.buttons.analysis)))).toEqual([
      reviewed,
      [Cmd.reply(t.afterReview, afterReviewKeyboard("test_case"))],
    ])
  })
})

describe("AI failure", () => {
  const asking = fold(reduce, oneTurn, [ev(text("вторая реплика"))])

  test("AiFailed for the pending request → the line kept as failed, retry offered", () => {
    expect(reduce(asking, ev(aiFailed(2)))).toEqual([
      inCase(asking, { ...attemptOf(oneTurn), failed: "вторая реплика" }),
      [Cmd.reply(t.personaUnavailable(testCase), retryKeyboard("test_case"))],
    ])
    expect(retryKeyboard("test_case")).toEqual({
      _tag: "Inline",
      rows: [[{ text: t.buttons.retry, data: "case:test_case:retry" }]],
    })
  })

  test("retry → the same line asked again under a NEW request id; not counted until it is answered", () => {
    const failed = fold(reduce, asking, [ev(aiFailed(2))])
    const T5 = T0 + 50_000
    expect(reduce(failed, ev(press("test_case", "retry"), { now: T5 }))).toEqual([
      inCase(
        { ...failed, nextRequestId: 4 },
        { ...attemptOf(oneTurn), pending: { requestId: 3, text: "вторая реплика", since: T5 } },
      ),
      [
        Cmd.answer(QUERY),
        chatAction,
        { _tag: "AskPersona", requestId: 3, caseId: "test_case", turns: [turn1], text: "вторая реплика" },
      ],
    ])
    const answered = fold(reduce, failed, [
      ev(press("test_case", "retry")),
      ev(personaReplied(2, "ответ на упавший запрос")), // the failed request, answered late: ignored
      ev(personaReplied(3, "ответ")),
    ])
    expect(attemptOf(answered).turns).toEqual([
      turn1,
      { learner: "вторая реплика", persona: "ответ", covered: [] },
    ])
  })

  test("retry pressed twice → the second press is a stale button, no second request", () => {
    const retried = fold(reduce, asking, [ev(aiFailed(2)), ev(press("test_case", "retry"))])
    expect(reduce(retried, ev(press("test_case", "retry")))).toEqual([
      retried,
      [Cmd.answer(QUERY, appTexts.staleButton, true)],
    ])
  })

  test("after a failure, the same line typed anew → sent once; another line → the failed one first, kept", () => {
    const failed = fold(reduce, asking, [ev(aiFailed(2))])
    const failedLine = attemptOf(failed).failed!
    expect(reduce(failed, ev(text(failedLine)))).toEqual([
      inCase(
        { ...failed, nextRequestId: 4 },
        { ...attemptOf(oneTurn), pending: { requestId: 3, text: failedLine, since: T0 } },
      ),
      [
        chatAction,
        { _tag: "AskPersona", requestId: 3, caseId: "test_case", turns: [turn1], text: failedLine },
      ],
    ])
    expect(reduce(failed, ev(text("заново")))).toEqual([
      inCase(
        { ...failed, nextRequestId: 4 },
        { ...attemptOf(oneTurn), pending: { requestId: 3, text: failedLine, since: T0 }, queued: ["заново"] },
      ),
      [
        chatAction,
        { _tag: "AskPersona", requestId: 3, caseId: "test_case", turns: [turn1], text: failedLine },
      ],
    ])
  })

  test("AiQueued for the pending request → the learner is told once it waits; state unchanged", () => {
    const queued = { _tag: "Feedback", event: { _tag: "AiQueued", requestId: 2 } } as const
    expect(reduce(asking, ev(queued))).toEqual([asking, [Cmd.reply(t.queued)]])
  })

  test("a stale AiQueued (the line answered, failed or dropped meanwhile) → nothing", () => {
    const stale = { _tag: "Feedback", event: { _tag: "AiQueued", requestId: 1 } } as const
    expect(reduce(asking, ev(stale))).toEqual([asking, []])
    expect(reduce(oneTurn, ev(stale))).toEqual([oneTurn, []])
  })

  test("a stale AiFailed → ignored", () => {
    expect(reduce(asking, ev(aiFailed(1)))).toEqual([asking, []])
    expect(reduce(oneTurn, ev(aiFailed(7)))).toEqual([oneTurn, []])
  })

  test("AiFailed for the review → review request cleared, retry-review offered; the button asks again WITHOUT stats", () => {
    const reviewing = fold(reduce, oneTurn, [ev(text(t.buttons.analysis))])
    const failed = inCase(reviewing, { ...attemptOf(reviewing), reviewRequestId: null })
    expect(reduce(reviewing, ev(aiFailed(2, "malformed")))).toEqual([
      failed,
      [Cmd.reply(t.reviewUnavailable, retryReviewKeyboard("test_case"))],
    ])
    expect(retryReviewKeyboard("test_case")).toEqual({
      _tag: "Inline",
      rows: [[{ text: t.buttons.retryReview, data: "case:test_case:review" }]],
    })
    expect(reduce(failed, ev(press("test_case", "review")))).toEqual([
      inCase({ ...failed, nextRequestId: 4 }, { ...attemptOf(reviewing), reviewRequestId: 3 }),
      [
        Cmd.answer(QUERY),
        chatAction,
        { _tag: "AskReview", requestId: 3, caseId: "test_case", turns: [turn1], covered: ["A", "B"] },
      ],
    ])
  })

  test("the review refused by the daily AI budget → the daily-limit text, the retry-review button kept", () => {
    const reviewing = fold(reduce, oneTurn, [ev(text(t.buttons.analysis))])
    expect(reduce(reviewing, ev(aiFailed(2, "daily_limit")))).toEqual([
      inCase(reviewing, { ...attemptOf(reviewing), reviewRequestId: null }),
      [Cmd.reply(t.dailyLimit, retryReviewKeyboard("test_case"))],
    ])
  })

  test("the review button while a review is already on its way, or in a dialogue → stale button", () => {
    const reviewing = fold(reduce, oneTurn, [ev(text(t.buttons.analysis))])
    const stale = [Cmd.answer(QUERY, appTexts.staleButton, true)]
    expect(reduce(reviewing, ev(press("test_case", "review")))).toEqual([reviewing, stale])
    expect(reduce(oneTurn, ev(press("test_case", "review")))).toEqual([oneTurn, stale])
    expect(reduce(oneTurn, ev(press("test_case", "retry")))).toEqual([oneTurn, stale])
  })
})

describe("reply-keyboard texts", () => {
  test("«🔄 Начать заново» → a new attempt of the same case", () => {
    const later = T0 + 1_000
    expect(reduce(oneTurn, ev(text(t.buttons.restart), { now: later }))).toEqual([
      inCase({ ...oneTurn, attempts: { test_case: 2 } }, newAttempt("test_case", 2, later)),
      [stat("test_case", "started"), Cmd.reply(testCase.texts.algorithm, dialogueKeyboard())],
    ])
  })

  test("«🏠 В главное меню» → Idle, the dialogue keyboard removed, welcome with the main menu", () => {
    expect(reduce(oneTurn, ev(text(t.buttons.menu)))).toEqual([
      { ...oneTurn, flow: idle },
      [Cmd.reply(t.left, removeReplyKeyboard), Cmd.reply(appTexts.welcome(FIRST_NAME), mainMenu())],
    ])
  })

  test("a persona reply to the old attempt arriving after a restart → ignored by the new attempt", () => {
    const asking = fold(reduce, oneTurn, [ev(text("вторая"))])
    const restarted = fold(reduce, asking, [ev(text(t.buttons.restart))])
    expect(reduce(restarted, ev(personaReplied(2, "старый ответ", ["C"])))).toEqual([restarted, []])
    // even once the new attempt has its own line in flight
    const newLine = fold(reduce, restarted, [ev(text("новая"))])
    expect(reduce(newLine, ev(personaReplied(2, "старый ответ", ["C"])))).toEqual([newLine, []])
    expect(attemptOf(fold(reduce, newLine, [ev(personaReplied(3, "новый ответ"))])).turns).toEqual([
      { learner: "новая", persona: "новый ответ", covered: [] },
    ])
  })

  test("a review of the old attempt arriving after a restart → ignored", () => {
    const reviewing = fold(reduce, oneTurn, [ev(text(t.buttons.analysis))])
    const restarted = fold(reduce, reviewing, [ev(text(t.buttons.restart))])
    expect(reduce(restarted, ev(reviewReady(2, review)))).toEqual([restarted, []])
    expect(reduce(restarted, ev(aiFailed(2)))).toEqual([restarted, []])
  })
})

describe("stop command", () => {
  test("stop of the running case → Idle, stop text, dialogue keyboard removed", () => {
    expect(reduce(oneTurn, ev(command("testcase_stop")))).toEqual([
      { ...oneTurn, flow: idle },
      [Cmd.reply(testCase.texts.stopped, removeReplyKeyboard)],
    ])
  })

  test("stop of another case → not in that case, flow unchanged", () => {
    expect(reduce(oneTurn, ev(command("othercase_stop")))).toEqual([oneTurn, [Cmd.reply(t.notInCase)]])
    expect(reduce(initialSession, ev(command("testcase_stop")))).toEqual([
      initialSession,
      [Cmd.reply(t.notInCase)],
    ])
  })
})

describe("other inputs in a case", () => {
  test("a voice message in the dialogue → transcribe it for this attempt under a ticket, its place kept", () => {
    const ticket = oneTurn.nextRequestId
    const file = { fileId: "voice-file", fileUniqueId: "voice-unique", mime: "audio/ogg" }
    expect(reduce(oneTurn, ev(voice))).toEqual([
      inCase(
        { ...oneTurn, nextRequestId: ticket + 1 },
        { ...attemptOf(oneTurn), hearing: 1, lineup: [{ ticket, text: null, voice: file }] },
      ),
      [
        chatAction,
        { _tag: "Transcribe", caseId: "test_case", attempt: attemptOf(oneTurn).number, ticket, ...file },
      ],
    ])
  })

  test("its transcript → echoed, then taken as the learner's line", () => {
    const heard = {
      _tag: "Feedback",
      event: {
        _tag: "Transcribed",
        caseId: "test_case",
        attempt: attemptOf(oneTurn).number,
        text: " Мне тревожно ",
      },
    } as const
    const [next, cmds] = reduce(oneTurn, ev(heard))!
    expect(cmds).toEqual([
      Cmd.reply(t.heard("Мне тревожно")),
      chatAction,
      {
        _tag: "AskPersona",
        requestId: 2,
        caseId: "test_case",
        turns: attemptOf(oneTurn).turns,
        text: "Мне тревожно",
      },
    ])
    expect(attemptOf(next).pending?.text).toBe("Мне тревожно")
  })

  test("an empty transcript → asked to repeat; a transcript for another attempt → ignored", () => {
    const empty = {
      _tag: "Feedback",
      event: { _tag: "Transcribed", caseId: "test_case", attempt: attemptOf(oneTurn).number, text: "  " },
    } as const
    expect(reduce(oneTurn, ev(empty))).toEqual([oneTurn, [Cmd.reply(t.notHeard)]])
    const stale = {
      _tag: "Feedback",
      event: { _tag: "Transcribed", caseId: "test_case", attempt: 99, text: "старое" },
    } as const
    expect(reduce(oneTurn, ev(stale))).toEqual([oneTurn, []])
    const failed = {
      _tag: "Feedback",
      event: {
        _tag: "TranscriptionFailed",
        caseId: "test_case",
        attempt: attemptOf(oneTurn).number,
        reason: "LlmError",
      },
    } as const
    // A result without a ticket (its voice line stored before lineups existed) has nothing kept to retry.
    expect(reduce(oneTurn, ev(failed))).toEqual([oneTurn, [Cmd.reply(t.voiceFailed)]])
  })

  test("the daily limit → the line and those queued behind it kept for «🔁 Повторить», and so in a review", () => {
    const asking = fold(reduce, oneTurn, [ev(text("ещё")), ev(text("и ещё"))])
    const limited = {
      _tag: "Feedback",
      event: { _tag: "AiFailed", requestId: 2, reason: "daily_limit" },
    } as const
    const [next, cmds] = reduce(asking, ev(limited))!
    expect(cmds).toEqual([Cmd.reply(t.dailyLimitKept, retryKeyboard("test_case"))])
    expect(attemptOf(next)).toMatchObject({ pending: null, failed: "ещё", queued: ["и ещё"] })
    const [finished] = reduce(next, ev(text(t.buttons.analysis)))!
    expect(attemptOf(finished).turns.map((turn) => turn.learner)).toEqual([turn1.learner, "ещё", "и ещё"])
  })
})

describe("voice lines keep the order they were sent in", () => {
  const voiceOf = (id: string) =>
    ({ ...voice, fileId: `file-${id}`, fileUniqueId: `unique-${id}` }) as typeof voice
  const heard = (ticket: number, line: string) =>
    ({
      _tag: "Feedback",
      event: { _tag: "Transcribed", caseId: "test_case", attempt: 1, ticket, text: line },
    }) as const
  const notHeard = (ticket: number, reason = "LlmError") =>
    ({
      _tag: "Feedback",
      event: { _tag: "TranscriptionFailed", caseId: "test_case", attempt: 1, ticket, reason },
    }) as const
  const asked = (cmds: ReadonlyArray<Cmd>) =>
    cmds.flatMap((c) =>
      c._tag === "AskPersona" ? [c.text] : c._tag === "Transcribe" ? [`🎤${c.fileId}`] : [],
    )
  const first = oneTurn.nextRequestId

  test("a line typed while a voice line before it is heard waits, then goes after it", () => {
    const typed = fold(reduce, oneTurn, [ev(voiceOf("a")), ev(text("текстом после"))])
    expect(attemptOf(typed).pending).toBeNull()
    const [next, cmds] = reduce(typed, ev(heard(first, "голосом сначала")))!
    expect(cmds[0]).toEqual(Cmd.reply(t.heard("голосом сначала")))
    expect(asked(cmds)).toEqual(["голосом сначала"])
    expect(attemptOf(next)).toMatchObject({ queued: ["текстом после"], lineup: [], hearing: 0 })
  })

  test("two voice lines heard in reverse order → still taken in the order sent", () => {
    const two = fold(reduce, oneTurn, [ev(voiceOf("a")), ev(voiceOf("b")), ev(text("третья"))])
    const [early, none] = reduce(two, ev(heard(first + 1, "вторая")))!
    expect(asked(none)).toEqual([])
    const [next, cmds] = reduce(early, ev(heard(first, "первая")))!
    expect(asked(cmds)).toEqual(["первая"])
    expect(attemptOf(next)).toMatchObject({ queued: ["вторая", "третья"], lineup: [], hearing: 0 })
  })

  test("a voice line not heard (the service failed) → kept; «🔁 Распознать ещё раз» hears it again, once", () => {
    const waiting = fold(reduce, oneTurn, [ev(voiceOf("a")), ev(text("после"))])
    const [failed, said] = reduce(waiting, ev(notHeard(first)))!
    expect(said[0]).toEqual(Cmd.reply(t.voiceFailedKept, rehearKeyboard("test_case")))
    // The line typed after it does not wait for a retry that may never come.
    expect(asked(said)).toEqual(["после"])
    const file = { fileId: "file-a", fileUniqueId: "unique-a", mime: "audio/ogg" }
    expect(attemptOf(failed).unheard).toEqual([file])
    const [again, cmds] = reduce(failed, ev(press("test_case", "rehear")))!
    expect(asked(cmds)).toEqual(["🎤file-a"])
    expect(attemptOf(again)).toMatchObject({ unheard: [], hearing: 1 })
    expect(reduce(again, ev(press("test_case", "rehear")))![1]).toEqual([
      Cmd.answer(QUERY, appTexts.staleButton, true),
    ])
  })

  test("a result without a ticket (a deploy's older instance ran it) settles the oldest voice line waiting", () => {
    const typed = fold(reduce, oneTurn, [ev(voiceOf("a")), ev(text("после"))])
    const old = {
      _tag: "Feedback",
      event: { _tag: "Transcribed", caseId: "test_case", attempt: 1, text: "голос" },
    } as const
    const [next, cmds] = reduce(typed, ev(old))!
    expect(asked(cmds)).toEqual(["голос"])
    expect(attemptOf(next)).toMatchObject({ queued: ["после"], lineup: [], hearing: 0 })
  })

  test("a repeated result (its line settled already) changes nothing and sends nothing twice", () => {
    const settled = fold(reduce, oneTurn, [ev(voiceOf("a")), ev(heard(first, "голос"))])
    expect(reduce(settled, ev(heard(first, "голос")))).toEqual([settled, []])
  })

  test("once nothing is being transcribed, a voice line whose result can never come holds nobody back", () => {
    const two = fold(reduce, oneTurn, [ev(voiceOf("a")), ev(voiceOf("b")), ev(text("третья"))])
    // As if the first one's result had been lost: only one transcription is still counted as in flight.
    const lost = inCase(two, { ...attemptOf(two), hearing: 1 })
    const [next, cmds] = reduce(lost, ev(heard(first + 1, "вторая")))!
    expect(asked(cmds)).toEqual(["вторая"])
    expect(attemptOf(next)).toMatchObject({ queued: ["третья"], lineup: [], hearing: 0 })
  })

  test("a voice line over a limit (its real bytes) → said why, nothing kept to retry", () => {
    const [next, cmds] = reduce(
      fold(reduce, oneTurn, [ev(voiceOf("a"))]),
      ev(notHeard(first, "voice_too_long")),
    )!
    expect(attemptOf(next).unheard).toEqual([])
    expect(JSON.stringify(cmds)).not.toContain("rehear")
  })
})

describe("admin sees this turn's flags", () => {
  test("admin → the persona message carries this turn's flags under the checklist", () => {
    const asking = fold(reduce, oneTurn, [ev(text("вторая"), { role: "admin" })])
    const [, cmds] = reduce(asking, ev(personaReplied(2, "ну", ["C"]), { role: "admin" }))!
    expect(cmds).toEqual([personaMessage(testCase, "ну", ["A", "B", "C"], 2, ["C"])])
    expect(cmds).toEqual([
      Cmd.reply(
        `${personaLine(testCase, "ну")}\n\n<i>✅А ✅Б ✅В ▫️Г ▫️Д · 3/5 · реплика 2 из 4</i>\n🛠 <i>видно только админам:</i> судья засчитал в этой реплике В`,
      ),
    ])
  })

  test("user in a case without the live checklist → only the persona line", () => {
    const other = fold(reduce, initialSession, [ev(command("othercase")), ev(text("привет"))])
    expect(reduce(other, ev(personaReplied(1, "ну", ["P"])))?.[1]).toEqual([
      Cmd.reply(personaLine(otherCase, "ну")),
    ])
  })

  test("admin in a case without the live checklist → the checklist with this turn's flags all the same", () => {
    const other = fold(reduce, initialSession, [ev(command("othercase")), ev(text("привет"))])
    expect(reduce(other, ev(personaReplied(1, "ну", []), { role: "admin" }))?.[1]).toEqual([
      Cmd.reply(`${personaLine(otherCase, "ну")}\n\n${checklist(otherCase, [], 1, [])}`),
    ])
    expect(checklist(otherCase, [], 1, [])).toEndWith(
      "\n🛠 <i>видно только админам:</i> в этой реплике судья ничего не засчитал",
    )
  })
})

describe("events not about a case → null (the root reducer handles them)", () => {
  const dbPinged = { _tag: "Feedback", event: { _tag: "DbPinged", ok: true, ms: 3 } } as const

  test.each([
    ["/help while idle", initialSession, command("help")],
    ["/help in a dialogue", oneTurn, command("help")],
    [
      "a Nav callback while idle",
      initialSession,
      { _tag: "Callback", queryId: "q", data: { _tag: "Nav", target: "menu" }, messageId: 1 } as const,
    ],
    [
      "a Nav callback in a dialogue",
      oneTurn,
      { _tag: "Callback", queryId: "q", data: { _tag: "Nav", target: "faq" }, messageId: 1 } as const,
    ],
    [
      "an unknown callback in a dialogue",
      oneTurn,
      { _tag: "Callback", queryId: "q", data: { _tag: "Unknown", raw: "x" }, messageId: 1 } as const,
    ],
    ["DbPinged with no case flow", initialSession, dbPinged],
    ["DbPinged in a dialogue", oneTurn, dbPinged],
    ["text while idle", initialSession, text("привет")],
    ["a voice message while idle", initialSession, voice],
    ["a persona reply while idle", initialSession, personaReplied(1, "поздно")],
    ["a photo in a dialogue", oneTurn, { _tag: "Unsupported", kind: "media" } as const],
    ["a too long text in a dialogue", oneTurn, { _tag: "Rejected", reason: "too_long", limit: 10 } as const],
  ] as const)("%s", (_, state, input) => {
    expect(reduce(state, ev(input))).toBeNull()
  })
})

describe("a session left in a case that no longer exists", () => {
  test("its next text → back to Idle, told so, the dialogue keyboard removed", () => {
    const onlyOther = makeRoleplayReducer({ cases: [otherCase], home: (ev) => [homeScreen(ev)] })
    expect(onlyOther(oneTurn, ev(text("привет")))).toEqual([
      { ...oneTurn, flow: idle },
      [Cmd.reply(t.notInCase, removeReplyKeyboard)],
    ])
  })
})
