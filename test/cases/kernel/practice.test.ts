import { describe, expect, test } from "bun:test"
import { dialogueKeyboard } from "../../../src/cases/kernel/keyboards"
import { personaPrompt } from "../../../src/cases/kernel/prompts"
import { makeRoleplayReducer } from "../../../src/cases/kernel/roleplay"
import { kernelTexts as t } from "../../../src/cases/kernel/texts"
import { Cmd } from "../../../src/core/commands"
import { initialSession } from "../../../src/core/session"
import { homeScreen } from "../../../src/nav/home"
import { attemptOf, command, ev, fold, press, QUERY, T0, talk, text } from "./scenario"
import { otherCase, testCase } from "./test-case"

const reducer = makeRoleplayReducer({ cases: [testCase, otherCase], home: (e) => [homeScreen(e)] })
const reduce = (s: Parameters<typeof reducer>[0], e: Parameters<typeof reducer>[1]) => reducer(s, e)!
const component = (key: string) => testCase.methodology.components.find((c) => c.key === key)!

describe("«💡 Подсказка»", () => {
  const talking = talk(reducer, fold(reducer, initialSession, [ev(command("testcase"))]), [
    ["раз", "ну", ["A"]],
  ])

  test("names the first step not shown yet with what it means (no example phrase), and counts the hint", () => {
    const [next, cmds] = reduce(talking, ev(text(t.buttons.hint)))
    expect(cmds).toEqual([Cmd.reply(t.hint(component("B")))])
    expect(attemptOf(next).hints).toBe(1)
    expect(attemptOf(next).turns).toEqual(attemptOf(talking).turns)
    expect(cmds[0]!._tag === "Reply" && cmds[0]!.html).not.toContain("Считается")
  })

  test("every step shown → says so, nothing counted", () => {
    const all = talk(reducer, fold(reducer, initialSession, [ev(command("testcase"))]), [
      ["раз", "ну", ["A", "B"]],
    ])
    const covered = { ...attemptOf(all), covered: ["A", "B", "C", "D", "E"] }
    const s = { ...all, flow: { _tag: "Case" as const, attempt: covered } }
    expect(reduce(s, ev(text(t.buttons.hint)))).toEqual([s, [Cmd.reply(t.hintAllShown)]])
  })

  test("the hint button is on the dialogue keyboard", () => {
    const keyboard = dialogueKeyboard()
    expect(keyboard._tag === "Reply" && keyboard.rows.flat()).toContain(t.buttons.hint)
  })
})

describe("difficulty", () => {
  test("«😤 Жёсткий» → a hard attempt: said so, then the algorithm", () => {
    const [next, cmds] = reduce(initialSession, ev(press("test_case", "hard")))
    expect(attemptOf(next)).toMatchObject({ caseId: "test_case", level: "hard", number: 1 })
    expect(cmds).toEqual([
      Cmd.answer(QUERY),
      { _tag: "RecordStat", caseId: "test_case", stat: "started" },
      Cmd.reply(t.levelChosen(testCase, "hard")),
      Cmd.reply(testCase.texts.algorithm, dialogueKeyboard()),
    ])
  })

  test("the level goes with every persona request and into the persona's prompt; the usual one is not sent", () => {
    const hard = fold(reducer, initialSession, [ev(press("test_case", "hard"))])
    const [, cmds] = reduce(hard, ev(text("Привет")))
    const ask = cmds.find((c) => c._tag === "AskPersona")!
    expect(ask).toMatchObject({ level: "hard" })
    if (ask._tag !== "AskPersona") throw new Error("no persona request")
    const system = personaPrompt(testCase, ask.turns, ask.text, ask.level).system
    expect(system).toContain("ЖЁСТКО-уступает")
    expect(system).toContain("жёсткий довод")
    expect(system).not.toContain("ОБЫЧНО-уступает")
    const normal = fold(reducer, initialSession, [ev(command("testcase"))])
    const usual = reduce(normal, ev(text("Привет")))[1].find((c) => c._tag === "AskPersona")!
    expect(usual).not.toHaveProperty("level")
    if (usual._tag === "AskPersona")
      expect(personaPrompt(testCase, usual.turns, usual.text, usual.level).system).toContain(
        "ОБЫЧНО-уступает",
      )
  })

  test("«🔄 Начать заново» keeps the level; a soft start is soft", () => {
    const hard = talk(reducer, fold(reducer, initialSession, [ev(press("test_case", "hard"))]), [
      ["раз", "ну", []],
    ])
    expect(attemptOf(reduce(hard, ev(text(t.buttons.restart)))[0]).level).toBe("hard")
    expect(attemptOf(reduce(initialSession, ev(press("test_case", "soft")))[0]).level).toBe("soft")
  })

  test("a stored session from before levels decodes as the usual level with no hints", async () => {
    const { Schema } = await import("effect")
    const { Session } = await import("../../../src/core/session")
    const started = fold(reducer, initialSession, [ev(command("testcase"), { now: T0 })])
    const { level: _l, hints: _h, ...old } = attemptOf(started)
    const decoded = Schema.decodeUnknownSync(Session)({ ...started, flow: { _tag: "Case", attempt: old } })
    expect(attemptOf(decoded)).toMatchObject({ level: "normal", hints: 0 })
  })
})

describe("the support contact on errors a learner may hit again", () => {
  test("the persona and the review failing name SUPPORT_CONTACT (escaped); without it, nothing is added", async () => {
    const { aiFailed } = await import("./scenario")
    const { withSupport } = await import("../../../src/cases/kernel/texts")
    const started = fold(reducer, initialSession, [ev(command("testcase"))])
    const [asked] = reduce(started, ev(text("Привет")))
    const failed = { ...ev(aiFailed(1)), supportContact: "@help <hr>" }
    const [, cmds] = reduce(asked, failed)
    const html = cmds.find((c) => c._tag === "Reply")
    expect(html).toMatchObject({ html: withSupport(t.personaUnavailable(testCase), "@help <hr>") })
    expect(withSupport("x", "@help <hr>")).toBe("x\nЕсли повторяется — напиши в поддержку: @help &lt;hr&gt;")
    expect(withSupport("x")).toBe("x")
  })
})
