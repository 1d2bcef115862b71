import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test"
import { authTexts } from "../../src/auth/texts"
import { cases } from "../../src/cases/registry"
import { visibleText as visible } from "../../src/core/html"
import { botCommands } from "../../src/nav/command-menu"
import { texts } from "../../src/nav/texts"
import { backends } from "../support/database"
import { inlineButtons } from "../support/fake-bot-api"
import { ADMIN_PASSWORD, startBot, type TestBot, textsOf, USER_PASSWORD } from "../support/harness"

// Each file boots the real app (the first PGlite boot of a run alone takes seconds); set per file, as bun
// applies setDefaultTimeout only to the file that calls it.
setDefaultTimeout(30_000)

describe.each(backends)("sign-in and navigation end to end (%s)", (backend) => {
  let bot: TestBot
  afterEach(async () => bot?.stop())

  test("/start → password → welcome and menu for a user; the password message is deleted", async () => {
    bot = await startBot({ backend })
    const anya = bot.user(101, "Аня")
    expect(textsOf(await anya.send("/start"))).toEqual([authTexts.askPassword])
    const shown = await anya.send(USER_PASSWORD)
    expect(textsOf(shown)).toEqual([visible(authTexts.loggedIn("user")), visible(texts.welcome("Аня"))])
    expect(inlineButtons(shown[1]!).map((b) => b.text)).toEqual([
      ...cases.map((c) => c.texts.title),
      texts.buttons.faq,
      texts.buttons.help,
      texts.buttons.results,
      texts.buttons.rate,
    ])
    expect(bot.tg.userMessageDeleted(101, anya.lastOwnMessageId()!)).toBe(true)
    expect(textsOf(await anya.send("/whoami"))[0]).toContain("Роль: пользователь")
    expect(textsOf(await anya.send("/dbping"))).toEqual([texts.adminOnly])
  })

  test("/start → admin password → welcome and menu for an admin; /dbping works", async () => {
    bot = await startBot({ backend })
    const boss = bot.user(102, "Олег")
    await boss.send("/start")
    const shown = await boss.send(ADMIN_PASSWORD)
    expect(textsOf(shown)).toEqual([visible(authTexts.loggedIn("admin")), visible(texts.welcome("Олег"))])
    expect(inlineButtons(shown[1]!).length).toBeGreaterThan(0)
    expect(textsOf(await boss.send("/dbping"))[0]).toMatch(/^✅ База данных на связи, ответ за \d+ мс\.$/)
    expect(textsOf(await boss.send("/help"))[0]).toContain("/dbping")
    expect(bot.tg.callsOf("setMyCommands").at(-1)?.params).toMatchObject({
      scope: { type: "chat", chat_id: 102 },
      commands: botCommands(true),
    })
    // A second /start of a signed-in user shows the menu again without asking for the password.
    expect(textsOf(await boss.send("/start"))).toEqual([visible(texts.welcome("Олег"))])
  })

  test("five wrong passwords → 15-minute lockout, even for the right password; open again afterwards", async () => {
    const clock = { ms: 0 }
    bot = await startBot({ backend, clockOffset: clock })
    const eve = bot.user(103, "Ева")
    await eve.send("/start")
    for (const left of [4, 3, 2, 1])
      expect(textsOf(await eve.send("guess"))).toEqual([authTexts.wrongPassword(left)])
    expect(textsOf(await eve.send("guess"))).toEqual([authTexts.lockedOut(15)])
    expect(textsOf(await eve.send(USER_PASSWORD))).toEqual([authTexts.lockedOut(15)])
    expect(textsOf(await eve.send("/whoami"))).toEqual([authTexts.needLogin])
    clock.ms = 16 * 60_000
    expect(textsOf(await eve.send(USER_PASSWORD))[0]).toBe(visible(authTexts.loggedIn("user")))
  })

  test("without a role a case command, free text and buttons ask to sign in; /help still works", async () => {
    bot = await startBot({ backend })
    const guest = bot.user(104, "Гость")
    expect(textsOf(await guest.send("/aidemo"))).toEqual([authTexts.needLogin])
    expect(textsOf(await guest.send("/whoami"))).toEqual([authTexts.needLogin])
    expect(textsOf(await guest.send("привет"))).toEqual([authTexts.needLoginErased])
    const pressed = await guest.pressData("nav:faq")
    expect(pressed.answer?.params).toMatchObject({ text: authTexts.needLoginAlert, show_alert: true })
    expect(textsOf(await guest.send("/help"))[0]).toContain("/start")
  })

  test("menu buttons edit the message in place; a stale button gets an alert", async () => {
    bot = await startBot({ backend })
    const anya = bot.user(105, "Аня")
    await anya.send("/start")
    await anya.send(USER_PASSWORD)
    const faq = await anya.press(texts.buttons.faq)
    expect(faq.answer?.params.show_alert).toBeUndefined()
    expect(textsOf(faq.messages)[0]).toStartWith("❓ Частые вопросы")
    expect(faq.messages[0]!.edits).toBe(1)
    const back = await anya.press(texts.buttons.menu)
    expect(textsOf(back.messages)[0]).toBe(visible(texts.menu))
    const stale = await anya.pressData("case:retired_case:restart", anya.lastMessageId())
    expect(stale.answer?.params).toMatchObject({ text: texts.staleButton, show_alert: true })
    expect(stale.messages).toEqual([])
  })

  test("/logout removes the role; /relogin switches it with another password", async () => {
    bot = await startBot({ backend })
    const anya = bot.user(106, "Аня")
    await anya.send("/start")
    await anya.send(USER_PASSWORD)
    expect(textsOf(await anya.send("/relogin"))).toEqual([authTexts.askNewPassword])
    expect(textsOf(await anya.send(ADMIN_PASSWORD))[0]).toBe(visible(authTexts.loggedIn("admin")))
    expect(textsOf(await anya.send("/logout"))).toEqual([authTexts.loggedOut])
    expect(bot.tg.callsOf("deleteMyCommands").at(-1)?.params).toMatchObject({
      scope: { type: "chat", chat_id: 106 },
    })
    expect(textsOf(await anya.send("/whoami"))).toEqual([authTexts.needLogin])
  })

  test("commands typed while the bot waits for a password act as commands, not as password attempts", async () => {
    bot = await startBot({ backend })
    const anya = bot.user(107, "Аня")
    await anya.send("/start")
    expect(textsOf(await anya.send("/help"))[0]).toContain("/start")
    expect(textsOf(await anya.send(USER_PASSWORD))[0]).toBe(visible(authTexts.loggedIn("user")))
  })
})
