import { describe, expect, test } from "bun:test"
import { roleplayReducer, reduce as rootReduce } from "../../src/app/reducer"
import {
  afterReviewKeyboard,
  caseCardKeyboard,
  dialogueKeyboard,
  removeReplyKeyboard,
} from "../../src/cases/kernel/keyboards"
import { checklist, personaLine, renderReview, kernelTexts as t } from "../../src/cases/kernel/texts"
import { cases } from "../../src/cases/registry"
import { Cmd } from "../../src/core/commands"
import { initialSession, type Session } from "../../src/core/session"
import { historyTexts } from "../../src/nav/history-texts"
import { plain } from "../support/review-header"
import {
  attemptOf,
  card,
  command,
  ev,
  personaReplied,
  press,
  QUERY,
  reviewReady,
  T0,
  text,
} from "./kernel/scenario"

/** The main paths of the original's §3, run on every real case with the production reducer. */
describe.each(cases.map((c) => [c.id, c] as const))("%s through the production reducer", (_, spec) => {
  const reduce = (s: Session, input: Parameters<typeof ev>[0], now = T0) => {
    const step = roleplayReducer(s, ev(input, { now }))
    if (!step) throw new Error("not handled")
    return step
  }
  const keys = spec.methodology.components.map((c) => c.key)
  const started = reduce(initialSession, command(spec.commands.start))[0]

  test("card → the case description with start / theory / menu buttons", () => {
    expect(reduce(initialSession, card(spec.id))).toEqual([
      initialSession,
      [
        Cmd.answer(QUERY),
        Cmd.edit(555, `${spec.texts.description}\n\n${t.levelsNote}`, caseCardKeyboard(spec.id)),
      ],
    ])
  })

  test("start button → attempt 1, started counted, the algorithm with the dialogue keyboard", () => {
    const [next, cmds] = reduce(initialSession, press(spec.id, "start"))
    expect(attemptOf(next)).toMatchObject({ caseId: spec.id, number: 1, phase: "Dialogue", turns: [] })
    expect(cmds).toEqual([
      Cmd.answer(QUERY),
      { _tag: "RecordStat", caseId: spec.id, stat: "started" },
      Cmd.reply(spec.texts.algorithm, dialogueKeyboard()),
    ])
  })

  test("all components over two turns → the invitation to close; the closing line → completed + auto_finished, review, then the same case again", () => {
    let s = reduce(started, text("раз"))[0]
    s = reduce(s, personaReplied(1, "Ну.", keys.slice(0, 3)))[0]
    s = reduce(s, text("два"))[0]
    const [closing, invited] = reduce(s, personaReplied(2, "Ладно.", keys.slice(3)))
    expect(invited).toEqual([
      Cmd.reply(`${personaLine(spec, "Ладно.")}\n\n${checklist(spec, keys, 2, null)}`),
      Cmd.reply(t.closeNow),
    ])
    s = reduce(closing, text("Спасибо, до встречи"))[0]
    const [reviewing, cmds] = reduce(s, personaReplied(3, "Пока."))
    expect(cmds).toEqual([
      Cmd.reply(`${personaLine(spec, "Пока.")}\n\n${checklist(spec, keys, 3, null)}`),
      Cmd.reply(t.allCovered),
      { _tag: "RecordStat", caseId: spec.id, stat: "completed" },
      { _tag: "RecordStat", caseId: spec.id, stat: "auto_finished" },
      { _tag: "ChatAction" },
      { _tag: "AskReview", requestId: 4, caseId: spec.id, turns: attemptOf(reviewing).turns, covered: keys },
    ])
    const review = {
      overall: "Хорошо.",
      components: keys.map((key) => ({ key, covered: true, evidence: "так", better: "" })),
      strengths: ["Ясно"],
      growth: [],
    }
    const [done, shown] = reduce(reviewing, reviewReady(4, review, "openai:gpt-5"))
    expect(shown[0]).toEqual(Cmd.reply(renderReview(spec, review, keys, plain(1)), removeReplyKeyboard))
    expect(shown.slice(2)).toEqual([{ _tag: "LoadProgress", caseId: spec.id }])
    const progress = { _tag: "ProgressLoaded", caseId: spec.id, history: [keys] } as const
    expect(rootReduce(done, ev({ _tag: "Feedback", event: progress }))).toEqual([
      done,
      [
        Cmd.reply(`${historyTexts.allShown}\n\n${t.afterReview}`, afterReviewKeyboard(spec.id)),
        { _tag: "InviteToSurvey" },
      ],
    ])
    const [again] = reduce(done, press(spec.id, "restart"))
    expect(attemptOf(again)).toMatchObject({ caseId: spec.id, number: 2, phase: "Dialogue" })
  })

  test(`${spec.maxTurns} turns without all components → out_of_moves + auto_finished`, () => {
    let s = started
    for (let i = 1; i < spec.maxTurns; i++) {
      s = reduce(s, text(`реплика ${i}`))[0]
      s = reduce(s, personaReplied(i, "Хм."))[0]
    }
    s = reduce(s, text("последняя"))[0]
    const [next, cmds] = reduce(s, personaReplied(spec.maxTurns, "Всё."))
    expect(attemptOf(next)).toMatchObject({ outcome: "out_of_moves", phase: "Reviewing" })
    expect(cmds.filter((c) => c._tag === "RecordStat")).toEqual([
      { _tag: "RecordStat", caseId: spec.id, stat: "out_of_moves" },
      { _tag: "RecordStat", caseId: spec.id, stat: "auto_finished" },
    ])
    expect(cmds[1]).toEqual(Cmd.reply(t.outOfTurns(spec)))
  })

  test("«📊 Получить анализ» → too short with no turns; manual finish with one", () => {
    expect(reduce(started, text(t.buttons.analysis))).toEqual([started, [Cmd.reply(t.tooShort(spec))]])
    let s = reduce(started, text("раз"))[0]
    s = reduce(s, personaReplied(1, "Ну."))[0]
    const [next, cmds] = reduce(s, text(t.buttons.analysis))
    expect(attemptOf(next).outcome).toBe("manual")
    expect(cmds.filter((c) => c._tag === "RecordStat")).toEqual([
      { _tag: "RecordStat", caseId: spec.id, stat: "completed" },
    ])
  })

  test("stop command → idle, the case's goodbye, the dialogue keyboard removed", () => {
    expect(reduce(started, command(spec.commands.stop))).toEqual([
      { ...started, flow: { _tag: "Idle" } },
      [Cmd.reply(spec.texts.stopped, removeReplyKeyboard)],
    ])
  })
})
