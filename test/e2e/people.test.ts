import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test"
import { adminTexts as t } from "../../src/admin/texts"
import { cases } from "../../src/cases/registry"
import { callbackData } from "../../src/core/callback-data"
import { visibleText } from "../../src/core/html"
import { texts } from "../../src/nav/texts"
import { addUsers, range } from "../broadcast/support"
import { reviewedAttempt } from "../support/attempt"
import { backends } from "../support/database"
import { inlineButtons } from "../support/fake-bot-api"
import { ADMIN_PASSWORD, signIn, startBot, type TestBot, textsOf, USER_PASSWORD } from "../support/harness"

setDefaultTimeout(60_000)

const spec = cases[0]!
const keys = spec.methodology.components.map((c) => c.key)

describe.each(backends)("admins see their people (%s)", (backend) => {
  let bot: TestBot
  afterEach(async () => bot?.stop())

  test("/stats before any data: no chart, no averages, the survey questions by label; «🛠 Админ» only for admins", async () => {
    bot = await startBot({ backend })
    const learner = bot.user(1201, "Мария")
    await signIn(learner, USER_PASSWORD)
    const learnerMenu = learner.screen().at(-1)!
    expect(inlineButtons(learnerMenu).map((b) => b.text)).not.toContain(texts.buttons.admin)
    const boss = bot.user(1202, "Олег")
    await signIn(boss, ADMIN_PASSWORD)
    const admin = (await boss.press(texts.buttons.admin)).messages.at(-1)!
    expect(admin.text).toBe(visibleText(t.menu))

    const shown = textsOf(await boss.send("/stats"))
    expect(shown).toHaveLength(2)
    expect(shown[1]).toBe(t.noChart)
    expect(bot.tg.callsOf("sendPhoto")).toEqual([])
    for (const c of cases)
      expect(shown[0]).toContain(`${c.texts.title}: начато 0, завершённых с разбором пока нет`)
    expect(shown[0]).not.toContain("0.0")
    expect(shown[0]).toContain("Общее впечатление: ответов пока нет")
    expect(shown[0]).not.toContain("overall_impression")
    expect(shown[0]).toContain("Активны за 7 дней: 2, за 30 дней: 2")
  })

  test("/users → a card: role, activity, attempts and per-step profile, survey answers; a role change is told to the person", async () => {
    bot = await startBot({ backend })
    const learner = bot.user(1211, "Мария")
    await signIn(learner, USER_PASSWORD)
    await reviewedAttempt(bot, learner, spec, keys.slice(0, 2))
    await learner.press(texts.buttons.rate)
    await learner.press("8")
    const boss = bot.user(1212, "Олег")
    await signIn(boss, ADMIN_PASSWORD)

    const list = (await boss.send("/users")).at(-1)!
    expect(list.text).toContain("1211 Мария — пользователь, последняя активность: ")
    expect(list.text).toContain("1212 Олег — администратор")
    const card = (await boss.press("👤 Мария")).messages.at(-1)!.text!
    expect(card).toContain("👤 Мария · 1211")
    expect(card).toContain("Роль: пользователь · с нами с ")
    expect(card).toMatch(/Последняя активность: \d\d\.\d\d\.\d{4} \d\d:\d\d \(МСК\)/)
    expect(card).toContain(`${spec.texts.title}: попыток 1, лучший результат 2 из 5, последний 2 из 5`)
    expect(card).toContain("П 100% · Р 100% · О 0% · В 0% · Д 0% — слабее всего: Отношение")
    expect(card).toContain("Опрос: Общее впечатление — 8")
    expect(card).toContain("/setrole 1211 admin")

    // The role they have already: nothing changes, nobody is told.
    const unchanged = bot.tg.chat(1211).length
    expect(textsOf(await boss.send("/setrole 1211 user"))).toEqual([
      visibleText(t.setroleUnchanged("1211", "пользователь")),
    ])
    expect(bot.tg.chat(1211).length).toBe(unchanged)
    // The person is told about a new role, and about a closed access.
    const before = bot.tg.chat(1211).length
    expect(textsOf(await boss.send("/setrole 1211 admin"))[0]).toContain("администратор")
    expect(textsOf(bot.tg.chat(1211).slice(before))).toEqual([visibleText(t.roleNotice.admin)])
    await boss.send("/setrole 1211 none")
    expect(textsOf(bot.tg.chat(1211).slice(before))).toEqual([
      visibleText(t.roleNotice.admin),
      visibleText(t.roleNotice.none),
    ])
    const closed = (await boss.pressData("usr:1211")).messages.at(-1)!.text!
    expect(closed).toContain("Роль: доступ закрыт")
    // Everyone is counted and reachable page by page; a search that finds nobody says so.
    await addUsers(bot.app.db, range(5001, 25))
    const first = (await boss.send("/users")).at(-1)!
    expect(first.text).toStartWith("👥 Пользователи: 26 · показаны 1–20 (время — МСК)")
    expect(inlineButtons(first).filter((b) => b.callback_data?.startsWith("usr:"))).toHaveLength(20)
    const second = (await boss.press(t.buttons.nextUsers)).messages.at(-1)!
    expect(second.text).toStartWith("👥 Пользователи: 26 · показаны 21–26")
    expect(inlineButtons(second).filter((b) => b.callback_data?.startsWith("usr:"))).toHaveLength(6)
    expect(inlineButtons(second).map((b) => b.text)).toContain(t.buttons.prevUsers)
    // A card opened from page 2 goes back to page 2, in the same message.
    const cardButton = inlineButtons(second).find((b) => b.callback_data?.startsWith("usr:"))!
    const opened = (await boss.pressData(cardButton.callback_data!, second.message_id)).messages.at(-1)!
    expect(opened.message_id).toBe(second.message_id)
    const back = (await boss.press(t.buttons.backToUsers)).messages.at(-1)!
    expect(back.message_id).toBe(second.message_id)
    expect(back.text).toStartWith("👥 Пользователи: 26 · показаны 21–26")
    // The list shrank since «Дальше» was shown: its page is gone, so the last page there is now comes instead.
    await bot.app.db.deleteFrom("authorized_users").where("user_id", ">=", 5016).execute()
    const shrunk = (await boss.pressData(callbackData.usersPage(1))).messages.at(-1)!
    expect(shrunk.text).toStartWith("👥 Пользователи: 16 (время — МСК)")
    expect(inlineButtons(shrunk).filter((b) => b.callback_data?.startsWith("usr:"))).toHaveLength(16)
    expect((await boss.pressData(callbackData.usersPage(9))).messages.at(-1)!.text).toStartWith(
      "👥 Пользователи: 16 (время — МСК)",
    )
    expect((await boss.send("/users zzz")).at(-1)!.text).toBe(visibleText(t.usersNoMatch("zzz")))
    // Someone the bot never heard of.
    expect((await boss.pressData("usr:555")).messages.at(-1)!.text).toBe(visibleText(t.cardUnknown(555)))
  })
})
