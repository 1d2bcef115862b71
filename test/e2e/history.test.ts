import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test"
import { kernelTexts as k, levelLabels } from "../../src/cases/kernel/texts"
import { cases, findCase } from "../../src/cases/registry"
import { visibleText } from "../../src/core/html"
import { historyTexts as h } from "../../src/nav/history-texts"
import { expireDialogues } from "../../src/repositories/privacy.repo"
import { personaRequest, requestsNamed, reviewOf, scriptRoleplay } from "../support/ai-script"
import { reviewedAttempt } from "../support/attempt"
import { backends } from "../support/database"
import { inlineButtons, type SentMessage } from "../support/fake-bot-api"
import { signIn, startBot, type TestBot, type TestUser, textsOf } from "../support/harness"

setDefaultTimeout(60_000)

const spec = findCase("fb_employee")!
const keys = spec.methodology.components.map((c) => c.key)
const label = (key: string) => spec.methodology.components.find((c) => c.key === key)!.label
const buttonsOf = (m: SentMessage | undefined) => (m ? inlineButtons(m).map((b) => b.text) : [])

describe.each(backends)("a learner's history, progress, hints and levels end to end (%s)", (backend) => {
  let bot: TestBot
  afterEach(async () => bot?.stop())

  /** One attempt: optional hint, one line that shows `covered`, the review; returns what the finish showed. */
  const attempt = async (user: TestUser, covered: ReadonlyArray<string>, start?: () => Promise<unknown>) =>
    textsOf(
      await reviewedAttempt(bot, user, spec, covered, {
        line: `Реплика про ${covered.length} шага`,
        ...(start ? { start } : {}),
      }),
    )

  test("hint, hard level, numbered reviews with a trend line; history pages, reopening, transcript, retention", async () => {
    // Six attempts in a minute are more messages than the default per-minute limit lets through.
    bot = await startBot({ backend, env: { MAX_REQUESTS_PER_MINUTE: "200", MAX_REQUESTS_PER_HOUR: "1000" } })
    const user = bot.user(7301, "Аня")
    await signIn(user)

    // Nothing yet: the empty text, a start button per case, no list.
    const empty = (await user.press("📈 Мои результаты")).messages.at(-1)!
    expect(empty.text).toBe(visibleText(h.empty))
    expect(buttonsOf(empty)).toEqual([...cases.map((c) => h.buttons.start(c.texts.title)), "🏠 Главное меню"])

    // Attempt 1, with a hint: the first step not shown yet is named with what it means.
    scriptRoleplay(
      bot.ai,
      spec,
      [{ reply: "Ну допустим.", covered: keys.slice(0, 2) }],
      reviewOf(spec, keys.slice(0, 2)),
    )
    await user.send(`/${spec.commands.start}`)
    const hint = textsOf(await user.send(k.buttons.hint))
    const step = spec.methodology.components[0]!
    expect(hint).toEqual([visibleText(k.hint(step, spec.texts.hints?.[step.key]))])
    await user.send("Во вторник ты не заполнил чек-лист осмотра")
    const first = textsOf(await user.send(k.buttons.analysis))
    const review1 = first.find((t) => t.startsWith("🎓 Разбор"))!
    expect(review1).toContain("Попытка №1 ·")
    expect(review1).toContain("Собеседник: обычный · 💡 подсказок: 1")
    expect(first.at(-2)).toBe(visibleText(`${h.firstAttempt(label(keys[2]!))}\n\n${k.afterReview}`))

    // Attempt 2, hard, from the case card: the level is said, sent to the persona's prompt, shown in the review.
    const second = await attempt(user, keys.slice(0, 4), async () => {
      await user.press("🏠 Главное меню")
      await user.press(spec.texts.title)
      const started = textsOf((await user.press(k.buttons.hard)).messages)
      expect(started).toEqual([visibleText(k.levelChosen(spec, "hard")), visibleText(spec.texts.algorithm)])
    })
    const persona = requestsNamed(bot.ai, "persona_reply")
      .filter((r) => personaRequest(r))
      .at(-1)!
    expect(JSON.stringify(persona.body)).toContain(spec.levels.hard.concedes)
    const review2 = second.find((t) => t.startsWith("🎓 Разбор"))!
    expect(review2).toContain("Попытка №2 ·")
    expect(review2).toContain(`Собеседник: ${levelLabels.hard} · без подсказок`)
    // Emotion and Question both went 0 of 1 → 1 of 2; the earlier step of the algorithm is named.
    expect(second).toContain(
      visibleText(`${h.trend(label("Emotion"), "0 из 1 последней", "1 из 2")}\n\n${k.afterReview}`),
    )

    // A dropped attempt is not numbered: attempts 3–6 follow on.
    await user.send(`/${spec.commands.start}`)
    await user.send(`/${spec.commands.stop}`)
    for (let i = 3; i <= 6; i++) {
      const shown = await attempt(user, keys.slice(0, 2))
      expect(shown.find((t) => t.startsWith("🎓 Разбор"))).toContain(`Попытка №${i} ·`)
    }

    // Page 1: progress per step, the weakest step with a practise button, untried cases, attempts 6…2.
    await user.press("🏠 Главное меню")
    const page1 = (await user.press("📈 Мои результаты")).messages.at(-1)!
    const text1 = page1.text!
    expect(text1).toContain(`${spec.texts.title} · 6 попыток`)
    expect(text1).toContain(visibleText(h.weakest(label("Agreement"))))
    expect(text1).toContain(`${cases[1]!.texts.title}, ${cases[2]!.texts.title}`)
    expect(text1).toContain("Попытки, новые сверху — страница 1 из 2, всего 6 (время — МСК)")
    for (const n of [6, 5, 4, 3]) expect(text1).toContain(`№${n} · ${spec.texts.title} · `)
    expect(text1).toMatch(
      new RegExp(
        `№2 · ${spec.texts.title.replace(/[()]/g, "\\$&")} · \\d\\d\\.\\d\\d\\.\\d{4} \\d\\d:\\d\\d · 4 из 5 · жёсткий`,
      ),
    )
    expect(text1).not.toContain("№1 ·")
    expect(buttonsOf(page1)).toContain(h.buttons.practise(label("Agreement"), spec.texts.title))
    expect(buttonsOf(page1)).toContain(h.buttons.older)

    // Page 2: attempt 1 only; back to newer.
    const page2 = (await user.press(h.buttons.older)).messages.at(-1)!
    expect(page2.text).toContain("Попытки, новые сверху — страница 2 из 2, всего 6")
    expect(page2.text).toContain(`№1 · ${spec.texts.title} · `)
    expect(buttonsOf(page2)).toContain(h.buttons.newer)
    expect(buttonsOf(page2)).not.toContain(h.buttons.older)

    // Reopening attempt 1: the stored review as shown then, and its dialogue.
    const opened = (await user.press(buttonsOf(page2).find((b) => b.startsWith("№1 ·"))!)).messages.at(-1)!
    expect(opened.text).toContain("Попытка №1 ·")
    expect(opened.text).toContain("💡 подсказок: 1")
    expect(opened.text).toContain("Хороший разговор.")
    const dialogue = textsOf((await user.press(h.buttons.transcript)).messages).join("\n")
    expect(dialogue).toContain("Во вторник ты не заполнил чек-лист осмотра")
    expect(dialogue).toContain(`${spec.persona.name}: Ну допустим.`)

    // «Back» returns to the page the attempt was opened from; the practise button (first page) starts the case.
    const back = (await user.press(h.buttons.back)).messages.at(-1)!
    expect(back.text).toContain("страница 2 из 2")
    await user.press(h.buttons.newer)
    const practise = textsOf(
      (await user.press(h.buttons.practise(label("Agreement"), spec.texts.title))).messages,
    )
    expect(practise).toContain(visibleText(spec.texts.algorithm))
    await user.send(`/${spec.commands.stop}`)

    // Another learner cannot open this learner's attempt by forging the button.
    const id = inlineButtons(page2).find((b) => b.text.startsWith("№1 ·"))!.callback_data!
    expect(id).toEndWith(":p1")
    const transcriptId = id.replace(/:p1$/, ":t")
    const other = bot.user(7302, "Боря")
    await signIn(other)
    expect(textsOf((await other.pressData(id)).messages)).toEqual([visibleText(h.attemptGone)])
    expect(textsOf((await other.pressData(transcriptId)).messages)).toEqual([visibleText(h.attemptGone)])

    // After retention the review's sentences and the dialogue are gone; the marks stay, and the page says why.
    await expireDialogues(bot.app.db, 0)
    const later = (await user.pressData(id)).messages.at(-1)!
    expect(later.text).toContain("Попытка №1 ·")
    expect(later.text).toContain(visibleText(h.textsExpired))
    expect(buttonsOf(later)).not.toContain(h.buttons.transcript)
    expect(textsOf((await user.pressData(transcriptId)).messages)).toEqual([visibleText(h.transcriptGone)])
  })
})
