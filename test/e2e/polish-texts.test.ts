import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test"
import { adminTexts } from "../../src/admin/texts"
import { kernelTexts as k } from "../../src/cases/kernel/texts"
import { findCase } from "../../src/cases/registry"
import { visibleText } from "../../src/core/html"
import { texts } from "../../src/nav/texts"
import { reviewedAttempt } from "../support/attempt"
import { backends } from "../support/database"
import { ADMIN_PASSWORD, signIn, startBot, type TestBot, textsOf } from "../support/harness"

setDefaultTimeout(60_000)

const employee = findCase("fb_employee")!
const career = findCase("career_dialog")!
const welcomeLine = "Как проходит тренировка"

describe.each(backends)("texts a learner and an admin see, as they see them (%s)", (backend) => {
  let bot: TestBot
  afterEach(async () => bot?.stop())

  test("/aidemo_stop says the case starts anew (it does: /aidemo opens a fresh attempt); the menu after leaving is the short one", async () => {
    bot = await startBot({ backend })
    const user = bot.user(8101, "Оля")
    await signIn(user)
    await user.send(`/${employee.commands.start}`)
    const stopped = textsOf(await user.send(`/${employee.commands.stop}`))
    expect(stopped).toEqual([visibleText(employee.texts.stopped)])
    expect(stopped[0]).toContain(`Начать его заново — /${employee.commands.start}`)
    expect(stopped[0]).not.toContain("Вернуться")
    // What the text promises: the command opens a new attempt (the algorithm card), not the old dialogue.
    expect(textsOf(await user.send(`/${employee.commands.start}`))).toEqual([
      visibleText(employee.texts.algorithm),
    ])
  })

  test("«🏠 Главное меню» shows the short menu; the welcome only on /start", async () => {
    bot = await startBot({ backend })
    const user = bot.user(8102, "Оля")
    await signIn(user)
    const welcome = textsOf(await user.send("/start")).at(-1)!
    expect(welcome).toContain(welcomeLine)
    const help = await user.send("/help")
    expect(textsOf(help).at(-1)).toContain("/faq")
    const menu = (await user.press("🏠 Главное меню")).messages.at(-1)!
    expect(menu.text).toBe(visibleText(texts.menu))
    expect(menu.text).not.toContain(welcomeLine)
  })

  test("the review names the attempt once («Карьерный диалог» is title and method): no repeated label; the prompt after it reads naturally", async () => {
    bot = await startBot({ backend })
    const user = bot.user(8103, "Оля")
    await signIn(user)
    const keys = career.methodology.components.map((c) => c.key)
    const shown = textsOf(
      await reviewedAttempt(bot, user, career, keys.slice(0, 3), { line: "Расскажи о планах" }),
    )
    const review = shown.find((t) => t.startsWith("🎓 Разбор"))!
    const [title, attempt] = review.split("\n")
    expect(title).toBe(`🎓 Разбор: ${career.texts.title}`)
    expect(attempt).toBe(`Попытка №1 · пройдено шагов: 3 из ${keys.length}`)
    expect(review.split("Карьерный диалог").length - 1).toBe(1)
    expect(shown.some((t) => t.endsWith(k.afterReview))).toBe(true)
    expect(k.afterReview).toBe("Хочешь закрепить? Сыграй этот разговор ещё раз, пока советы свежие.")

    // A case whose method has its own name keeps it: «ПРОВД: 2 из 5».
    const employeeKeys = employee.methodology.components.map((c) => c.key)
    const other = textsOf(await reviewedAttempt(bot, user, employee, employeeKeys.slice(0, 2)))
    const employeeReview = other.find((t) => t.startsWith("🎓 Разбор"))!
    expect(employeeReview.split("\n")[1]).toBe(
      `Попытка №1 · ${employee.methodology.name}: 2 из ${employee.methodology.components.length}`,
    )
  })

  test("an admin's /help lists /broadcast and /broadcasts", async () => {
    bot = await startBot({ backend })
    const boss = bot.user(8104, "Олег")
    await signIn(boss, ADMIN_PASSWORD)
    const help = textsOf(await boss.send("/help")).at(-1)!
    for (const line of adminTexts.help) expect(help).toContain(visibleText(line))
    expect(help).toContain("/broadcast — новая рассылка")
    expect(help).toContain("/broadcasts —")
  })
})
