import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test"
import { kernelTexts } from "../../src/cases/kernel/texts"
import { cases } from "../../src/cases/registry"
import { visibleText } from "../../src/core/html"
import { historyTexts } from "../../src/nav/history-texts"
import { requestsNamed, reviewOf, scriptRoleplay } from "../support/ai-script"
import { caseStats } from "../support/case-stats"
import { backends } from "../support/database"
import { inlineButtons, replyKeyboard } from "../support/fake-bot-api"
import { signIn, startBot, type TestBot, type TestUser, textsOf } from "../support/harness"
import { textUpdate } from "../support/updates"

// Each file boots the real app; bun applies setDefaultTimeout only to the file that calls it.
setDefaultTimeout(30_000)

const stats = (bot: TestBot, userId: number) => caseStats(bot.app.db, userId)

const attempts = (bot: TestBot, userId: number) =>
  bot.app.db
    .selectFrom("case_attempts")
    .select(["case_id", "outcome", "turns", "score", "attempt_no"])
    .where("user_id", "=", userId)
    .orderBy("id")
    .execute()

const invites = async (bot: TestBot, userId: number) =>
  (await bot.app.db.selectFrom("rating_invites").selectAll().where("user_id", "=", userId).execute()).length

describe.each(backends)("role-play cases end to end (%s)", (backend) => {
  let bot: TestBot
  afterEach(async () => bot?.stop())

  for (const spec of cases) {
    const keys = spec.methodology.components.map((c) => c.key)
    const open = async (user: TestUser) => {
      await user.press(spec.texts.title)
      const started = await user.press(kernelTexts.buttons.start)
      expect(textsOf(started.messages)).toEqual([visibleText(spec.texts.algorithm)])
      expect(replyKeyboard(started.messages[0]!)).toEqual([
        kernelTexts.buttons.hint,
        kernelTexts.buttons.analysis,
        kernelTexts.buttons.restart,
        kernelTexts.buttons.menu,
      ])
    }

    test(`${spec.id}: all components → one closing line (the algorithm's «Заверши»), then review, stats, attempt row, survey invite once; retry restarts this case`, async () => {
      bot = await startBot({ backend })
      const user = bot.user(701)
      const review = reviewOf(spec, keys)
      scriptRoleplay(
        bot.ai,
        spec,
        [
          { reply: "Ну, бывает.", covered: keys.slice(0, 2) },
          { reply: "Ладно, договорились.", covered: keys.slice(2) },
          { reply: "И тебе спасибо. До встречи." },
        ],
        review,
      )
      await signIn(user)
      await open(user)
      const first = await user.send("Первая реплика")
      expect(textsOf(first)[0]).toStartWith(`${spec.persona.emoji} ${spec.persona.name}: Ну, бывает.`)
      const heard = textsOf(await user.send("Вторая реплика"))
      expect(heard[0]).toStartWith(`${spec.persona.emoji} ${spec.persona.name}: Ладно, договорились.`)
      // Every step heard: the learner is asked to close the conversation, and it goes on for that one line.
      expect(heard.slice(1)).toEqual([visibleText(kernelTexts.closeNow)])
      const last = textsOf(await user.send("Спасибо за разговор. Я в тебя верю"))
      expect(last[0]).toStartWith(`${spec.persona.emoji} ${spec.persona.name}: И тебе спасибо. До встречи.`)
      expect(last[1]).toBe(visibleText(kernelTexts.allCovered))
      expect(last[2]).toStartWith(`🎓 Разбор: ${spec.texts.title}`)
      expect(last[2]).toContain(`5 из 5`)
      expect(last.slice(3)).toEqual([
        visibleText(`${historyTexts.allShown}\n\n${kernelTexts.afterReview}`),
        expect.stringContaining("Ответь, пожалуйста"),
      ])
      expect(await stats(bot, 701)).toEqual({
        [`${spec.id}:started`]: 1,
        [`${spec.id}:completed`]: 1,
        [`${spec.id}:auto_finished`]: 1,
      })
      expect(await attempts(bot, 701)).toEqual([
        { case_id: spec.id, outcome: "completed", turns: 3, score: 5, attempt_no: 1 },
      ])
      expect(await invites(bot, 701)).toBe(1)
      // While the review was prepared, Telegram showed its «Thinking…» placeholder (an empty draft).
      expect(bot.tg.callsOf("sendMessageDraft")[0]?.params).toMatchObject({ chat_id: 701, text: "" })
      const again = await user.press(kernelTexts.buttons.tryAgain)
      expect(textsOf(again.messages)).toEqual([visibleText(spec.texts.algorithm)])
      expect((await stats(bot, 701))[`${spec.id}:started`]).toBe(2)
    })

    test(`${spec.id}: the turn limit (${spec.maxTurns}) ends the dialogue; the button ends it early; invite stays single`, async () => {
      bot = await startBot({ backend })
      const user = bot.user(702)
      scriptRoleplay(bot.ai, spec, [], reviewOf(spec, []))
      await signIn(user)
      await open(user)
      let shown: string[] = []
      for (let i = 1; i <= spec.maxTurns; i++) shown = textsOf(await user.send(`Реплика ${i}`))
      expect(shown[1]).toBe(visibleText(kernelTexts.outOfTurns(spec)))
      expect(await attempts(bot, 702)).toMatchObject([
        { outcome: "out_of_moves", turns: spec.maxTurns, score: 0 },
      ])
      await user.press(kernelTexts.buttons.tryAgain)
      await user.send("Одна реплика")
      expect(textsOf(await user.send(kernelTexts.buttons.analysis))[0]).toBe(
        visibleText(kernelTexts.manualFinish),
      )
      await user.send(kernelTexts.buttons.analysis)
      expect(await stats(bot, 702)).toEqual({
        [`${spec.id}:started`]: 2,
        [`${spec.id}:out_of_moves`]: 1,
        [`${spec.id}:auto_finished`]: 1,
        [`${spec.id}:completed`]: 1,
      })
      expect((await attempts(bot, 702)).map((a) => a.outcome)).toEqual(["out_of_moves", "manual"])
      expect(await invites(bot, 702)).toBe(1)
      expect(bot.tg.chat(702).filter((m) => m.text?.includes("Ответь, пожалуйста"))).toHaveLength(1)
    })
  }

  test("AI text with <, &, *, _ is shown as written, without a parse error", async () => {
    bot = await startBot({ backend })
    const spec = cases[0]!
    scriptRoleplay(bot.ai, spec, [{ reply: "Ну <да> & *нет* _ладно_ </b>", covered: [] }])
    const user = bot.user(703)
    await signIn(user)
    await user.send(`/${spec.commands.start}`)
    const shown = await user.send("Привет")
    expect(textsOf(shown)[0]).toStartWith(
      `${spec.persona.emoji} ${spec.persona.name}: Ну <да> & *нет* _ладно_ </b>`,
    )
    expect(bot.tg.calls.filter((c) => c.status === 400)).toEqual([])
  })

  test("two messages at once in a dialogue → two consecutive turns, none lost or doubled", async () => {
    bot = await startBot({ backend })
    const spec = cases[0]!
    const script = scriptRoleplay(bot.ai, spec, [{ reply: "Раз." }, { reply: "Два." }])
    const user = bot.user(704)
    await signIn(user)
    await user.send(`/${spec.commands.start}`)
    // Telegram sends a chat's updates one after another: the second arrives while the first is with the persona.
    bot.ai.setLatency(300)
    await bot.deliver(textUpdate("первое", { chatId: 704, userId: 704 }))
    await bot.deliver(textUpdate("второе", { chatId: 704, userId: 704 }))
    await bot.app.whenIdle()
    const lines = textsOf(user.screen()).filter((t) =>
      t.startsWith(`${spec.persona.emoji} ${spec.persona.name}:`),
    )
    expect(lines.map((l) => l.split("\n")[0])).toEqual([
      `${spec.persona.emoji} ${spec.persona.name}: Раз.`,
      `${spec.persona.emoji} ${spec.persona.name}: Два.`,
    ])
    expect(script.personaCalls()).toBe(2)
    const sent = requestsNamed(bot.ai, "persona_reply").map(
      (r) => (r.body as { messages: Array<{ content: string }> }).messages.at(-1)?.content,
    )
    expect(sent).toEqual(["первое", "второе"])
  })

  test("commands during a dialogue act as commands; /start closes the dialogue keyboard", async () => {
    bot = await startBot({ backend })
    const spec = cases[0]!
    scriptRoleplay(bot.ai, spec, [])
    const user = bot.user(705)
    await signIn(user)
    await user.send(`/${spec.commands.start}`)
    expect(textsOf(await user.send("/help"))[0]).toContain("/start")
    const other = cases[1]!
    expect(textsOf(await user.send(`/${other.commands.start}`))).toEqual([visibleText(other.texts.algorithm)])
    const home = await user.send("/start")
    expect(textsOf(home)[0]).toBe(kernelTexts.left)
    expect(home[0]?.reply_markup).toEqual({ remove_keyboard: true })
    expect(inlineButtons(home[1]!).map((b) => b.text)).toContain(spec.texts.title)
  })
})

describe.each(backends)("my results (%s)", (backend) => {
  let bot: TestBot
  afterEach(async () => bot?.stop())

  test("«📈 Мои результаты» → empty at first; after attempts → per case: count, best, latest, per step, weakest", async () => {
    bot = await startBot({ backend })
    const spec = cases[0]!
    const keys = spec.methodology.components.map((c) => c.key)
    const user = bot.user(706)
    await signIn(user)
    const empty = await user.press("📈 Мои результаты")
    expect(textsOf(empty.messages)[0]).toStartWith("📈 Здесь появятся твои результаты")
    scriptRoleplay(
      bot.ai,
      spec,
      [{ reply: "Ну.", covered: keys.slice(0, 2) }],
      reviewOf(spec, keys.slice(0, 2)),
    )
    await user.send(`/${spec.commands.start}`)
    await user.send("Реплика")
    await user.send(kernelTexts.buttons.analysis)
    scriptRoleplay(
      bot.ai,
      spec,
      [{ reply: "Ну.", covered: keys.slice(0, 1) }],
      reviewOf(spec, keys.slice(0, 1)),
    )
    await user.send(kernelTexts.buttons.restart)
    await user.send("Реплика")
    await user.send(kernelTexts.buttons.analysis)
    await user.send("/start")
    const shown = textsOf((await user.press("📈 Мои результаты")).messages)[0]!
    expect(shown).toContain(spec.texts.title)
    expect(shown).toContain(`${spec.texts.title} · 2 попытки · лучший результат 2 из 5, последний 1 из 5`)
    const third = spec.methodology.components[2]!.label
    // Shown in neither attempt: 0 %, and the earliest such step of the algorithm is named the weakest.
    expect(shown).toContain(`▱▱▱▱▱ ${third} — 0%`)
    expect(shown).toContain(`🎯 Слабее всего пока: ${third}`)
  })
})
