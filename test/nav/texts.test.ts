import { describe, expect, test } from "bun:test"
import { authTexts } from "../../src/auth/texts"
import { visibleText } from "../../src/core/html"
import { caseCommands, menu } from "../../src/nav/command-menu"
import { texts } from "../../src/nav/texts"

describe("texts", () => {
  test("welcome with HTML in the first name → the name is escaped, not rendered", () => {
    const html = texts.welcome("<b>Bob</b> & Co")
    expect(html).toContain("&lt;b&gt;Bob&lt;/b&gt; &amp; Co")
    expect(html).not.toContain("<b>Bob</b>")
  })

  test("welcome with a plain name → the name appears verbatim", () => {
    expect(texts.welcome("Мария")).toContain("Мария")
  })

  const lockCases: ReadonlyArray<readonly [number, string]> = [
    [1, "1 минуту"],
    [2, "2 минуты"],
    [4, "4 минуты"],
    [5, "5 минут"],
    [11, "11 минут"],
    [12, "12 минут"],
    [14, "14 минут"],
    [15, "15 минут"],
    [21, "21 минуту"],
    [22, "22 минуты"],
    [25, "25 минут"],
    [101, "101 минуту"],
    [111, "111 минут"],
    [112, "112 минут"],
  ]
  for (const [n, phrase] of lockCases) {
    test(`lockedOut(${n}) → «${phrase}»`, () => {
      expect(authTexts.lockedOut(n)).toEndWith(`через ${phrase}.`)
    })
  }

  const attemptCases: ReadonlyArray<readonly [number, string]> = [
    [1, "Осталось 1 попытка."],
    [2, "Осталось 2 попытки."],
    [3, "Осталось 3 попытки."],
    [4, "Осталось 4 попытки."],
    [5, "Осталось 5 попыток."],
    [11, "Осталось 11 попыток."],
    [21, "Осталось 21 попытка."],
  ]
  for (const [n, phrase] of attemptCases) {
    test(`wrongPassword(${n}) → «${phrase}»`, () => {
      expect(authTexts.wrongPassword(n)).toEndWith(phrase)
    })
  }

  test("wrongPassword(0) → no «Осталось» part and no trailing space", () => {
    expect(authTexts.wrongPassword(0)).not.toContain("Осталось")
    expect(authTexts.wrongPassword(0)).toBe(authTexts.wrongPassword(0).trim())
  })

  test("rateLimited hour → the minutes with the right plural", () => {
    expect(texts.rateLimited("hour", 21)).toContain("21 минуту")
    expect(texts.rateLimited("hour", 59)).toContain("59 минут")
    expect(texts.rateLimited("minute", 1)).not.toEqual(texts.rateLimited("hour", 1))
  })

  test("loggedIn → the role name in bold for each role", () => {
    expect(authTexts.loggedIn("user")).toContain("<b>пользователь</b>")
    expect(authTexts.loggedIn("admin")).toContain("<b>администратор</b>")
  })

  test("commands → names are valid Bot API command names", () => {
    for (const { command } of menu(texts.commands)) expect(command).toMatch(/^[a-z0-9_]{1,32}$/)
  })

  test("commands → descriptions are non-empty and at most 256 characters", () => {
    for (const { description } of menu(texts.commands)) {
      expect(description.trim().length).toBeGreaterThan(0)
      expect(description.length).toBeLessThanOrEqual(256)
    }
  })

  test("commands → no duplicates, /start first", () => {
    const names = menu(texts.commands).map((c) => c.command)
    expect(new Set(names).size).toBe(names.length)
    expect(names[0]).toBe("start")
  })

  test("help → lists every command of the menu", () => {
    for (const { command } of menu(texts.commands))
      expect(texts.help(false, caseCommands())).toContain(`/${command} `)
  })

  test("rejected → the limit is shown for too_long and too_many_lines", () => {
    expect(texts.rejected("too_long", 12345)).toContain("12345")
    expect(texts.rejected("too_many_lines", 77)).toContain("77")
  })

  test("whoami → Telegram id in <code>, the date as dd.mm.yyyy in the configured zone", () => {
    const joined = new Date("2023-12-31T23:59:59Z")
    const html = authTexts.whoami("user", 123, joined, "UTC")
    expect(html).toContain("<code>123</code>")
    expect(html).toContain("31.12.2023")
    expect(authTexts.whoami("user", 123, joined, "Europe/Moscow")).toContain("01.01.2024")
  })
  describe("faq: who sees the dialogues and how long they are kept, from DIALOGUE_RETENTION_DAYS", () => {
    const plain = (days?: number) => visibleText(texts.faq(days))
    test("always: admins see numbers, not texts; texts go to the AI service; /forget_me deletes at once", () => {
      for (const days of [undefined, 1, 30]) {
        const faq = plain(days)
        expect(faq).toContain("Кто видит мои разговоры?")
        expect(faq).toContain("показываю только тебе")
        expect(faq).toContain("Администраторы бота видят твоё имя, @username, Telegram ID")
        expect(faq).toContain("только цифры")
        expect(faq).toContain("OpenAI или Google Gemini")
        expect(faq).toContain("/forget_me")
        // One Telegram message; addressed with «ты» in gender-neutral forms.
        expect(faq.length).toBeLessThanOrEqual(4096)
        expect(faq).not.toMatch(/ты (прошёл|вошёл|готов|сам|сделал)/)
      }
    })
    test("no retention → kept until deleted; service copies a week", () => {
      expect(plain()).toContain("хранятся, пока ты их не удалишь")
      expect(plain()).toContain("Служебные копии сообщений стираются через 7 дней.")
    })
    const periods: ReadonlyArray<readonly [number, string, string]> = [
      [1, "1 день", "1 день"],
      [3, "3 дня", "3 дня"],
      [30, "30 дней", "7 дней"],
      [21, "21 день", "7 дней"],
    ]
    for (const [days, kept, copies] of periods)
      test(`DIALOGUE_RETENTION_DAYS=${days} → texts ${kept}, service copies ${copies}`, () => {
        expect(plain(days)).toContain(`хранятся ${kept} после тренировки`)
        expect(plain(days)).toContain(`Служебные копии сообщений стираются через ${copies}.`)
        expect(plain(days)).not.toContain("пока ты их не удалишь")
      })
  })
})

describe("the support contact (SUPPORT_CONTACT)", () => {
  test("/help, the FAQ and the apology name it, escaped; without it they send learners to their bot admin", () => {
    const contact = "@help_desk & <HR>"
    for (const html of [texts.help(false, [], contact), texts.faq(30, contact), texts.apology(contact)])
      expect(html).toContain("@help_desk &amp; &lt;HR&gt;")
    expect(texts.help(false, [])).toContain("администратору бота в твоей компании")
    expect(texts.faq(30)).toContain("Администратору бота в твоей компании")
    expect(texts.apology()).not.toContain("поддержку")
  })
})
