import { afterEach, describe, expect, setDefaultTimeout, spyOn, test } from "bun:test"
import { adminTexts } from "../../src/admin/texts"
import { authTexts } from "../../src/auth/texts"
import { visibleText as visible } from "../../src/core/html"
import { texts } from "../../src/nav/texts"
import { jsonb } from "../../src/repositories/jsonb"
import { backends } from "../support/database"
import { ADMIN_PASSWORD, startBot, type TestBot, textsOf, USER_PASSWORD } from "../support/harness"
import { addSecret, recordOutput } from "../support/leak-scan"

// Each file boots the real app; bun applies setDefaultTimeout only to the file that calls it.
setDefaultTimeout(30_000)

/** The value of one `bot_auth_failures_total` series on the ops port (0 when absent). */
const authFailures = async (bot: TestBot, kind: string) => {
  const body = await (await fetch(`${bot.opsUrl}/metrics`)).text()
  const line = body.split("\n").find((l) => l.startsWith(`bot_auth_failures_total{kind="${kind}"}`))
  return line ? Number(line.split(" ").at(-1)) : 0
}

describe.each(backends)("abuse controls that survive /forget_me (%s)", (backend) => {
  let bot: TestBot
  afterEach(async () => bot?.stop())

  test("5 wrong passwords lock the account; /forget_me does not unlock it, not even for the right password", async () => {
    bot = await startBot({ backend })
    const eve = bot.user(2101, "Ева")
    await eve.send("/start")
    for (let i = 0; i < 5; i++) await eve.send("guess-wrong")
    expect(textsOf(eve.screen()).at(-1)).toBe(authTexts.lockedOut(15))
    await eve.send("/forget_me")
    expect(textsOf((await eve.press(adminTexts.forgetYes)).messages).at(-1)).toBe(adminTexts.forgetDone)
    // Before: the session row held the counter, so /forget_me gave five fresh guesses.
    expect(textsOf(await eve.send("/start"))).toEqual([authTexts.lockedOut(15)])
    expect(textsOf(await eve.send(USER_PASSWORD))).toEqual([authTexts.lockedOut(15)])
    expect(textsOf(await eve.send("/whoami"))).toEqual([authTexts.needLogin])
    const stored = await bot.app.db
      .selectFrom("user_limits")
      .selectAll()
      .where("user_id", "=", 2101)
      .execute()
    expect(stored).toHaveLength(1)
    expect(stored[0]!.locked_until).not.toBeNull()
  })

  test("a locked account's attempts never reach the password check (no argon2 work); failures are counted and a burst is logged", async () => {
    const hash = await Bun.password.hash(USER_PASSWORD)
    addSecret(hash, "user password hash")
    const lines: string[] = []
    bot = await startBot({
      backend,
      env: { AUTH_PASSWORD_USER: hash },
      logSink: (line) => {
        lines.push(line)
        recordOutput(line)
      },
    })
    const verify = spyOn(Bun.password, "verify")
    try {
      const eve = bot.user(2102, "Ева")
      await eve.send("/start")
      for (let i = 0; i < 5; i++) await eve.send(`wrong guess ${i}`)
      expect(verify).toHaveBeenCalledTimes(5)
      for (const attempt of ["another guess", USER_PASSWORD, "one more guess"])
        expect(textsOf(await eve.send(attempt))).toEqual([authTexts.lockedOut(15)])
      expect(verify).toHaveBeenCalledTimes(5)
      expect(await authFailures(bot, "wrong_password")).toBe(5)
      expect(await authFailures(bot, "lockout")).toBe(1)
      expect(await authFailures(bot, "locked")).toBe(3)

      // Three more accounts guessing: 20 wrong passwords within a minute across 4 users → one warning.
      for (const id of [2103, 2104, 2105]) {
        const guesser = bot.user(id, "Гость")
        await guesser.send("/start")
        for (let i = 0; i < 5; i++) await guesser.send(`wrong guess ${i}`)
      }
      const warnings = lines
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((l) => l.level === "warn" && String(l.msg).startsWith("many wrong passwords"))
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toMatchObject({ failures: 20, users: 4, windowSec: 60 })
      expect(lines.some((l) => l.includes("wrong guess"))).toBe(false)
    } finally {
      verify.mockRestore()
    }
  })

  test("a learner over the limit by button presses → every press answered with a short popup; the next command gets the one notice, not silence", async () => {
    bot = await startBot({ backend, env: { MAX_REQUESTS_PER_MINUTE: "4" } })
    const anya = bot.user(2108, "Аня")
    await anya.send("/start")
    await anya.send(USER_PASSWORD)
    // Two updates of the four used; two presses use the rest, the next ones are over the limit.
    const answers = []
    for (let i = 0; i < 5; i++) answers.push((await anya.pressData("nav:faq")).answer?.params)
    expect(answers.slice(2)).toEqual(
      Array.from({ length: 3 }, () => ({
        callback_query_id: expect.any(String),
        text: texts.rateLimitedPress(1),
        show_alert: true,
      })),
    )
    // The chat was not spammed with notices for the presses; the command is told once when to come back.
    expect(textsOf(await anya.send("/help"))).toEqual([texts.rateLimited("minute", 1)])
    expect(textsOf(await anya.send("/whoami"))).toEqual([])
  })

  test("a stranger flooding → a few login hints, one notice per window, then silence (texts and buttons)", async () => {
    bot = await startBot({ backend, env: { GUEST_MAX_REQUESTS_PER_MINUTE: "5" } })
    const stranger = bot.user(2106, "Кто-то")
    for (let i = 0; i < 12; i++) await stranger.send(`спам ${i}`)
    const answersBefore = bot.tg.callsOf("answerCallbackQuery").length
    for (let i = 0; i < 5; i++) await stranger.pressData("nav:faq")
    expect(textsOf(stranger.screen())).toEqual([
      ...Array.from({ length: 5 }, () => authTexts.needLoginErased),
      texts.rateLimited("minute", 1),
    ])
    // Before sign-in every text may be the password: all twelve erased, the silent ones too.
    expect(bot.tg.callsOf("deleteMessage").filter((c) => Number(c.params.chat_id) === 2106)).toHaveLength(12)
    expect(bot.tg.callsOf("answerCallbackQuery").length).toBe(answersBefore)
    // A signed-in user keeps the ordinary, looser limits.
    const anya = bot.user(2107, "Аня")
    await anya.send("/start")
    await anya.send(USER_PASSWORD)
    for (let i = 0; i < 6; i++) expect(textsOf(await anya.send("/whoami"))[0]).toContain("Роль: пользователь")
  })

  test("a password sent over the rate limit is still erased from the chat and the inbox, and explained once", async () => {
    bot = await startBot({ backend, env: { GUEST_MAX_REQUESTS_PER_MINUTE: "3" } })
    const guest = bot.user(2110, "Гость")
    await guest.send("/help")
    await guest.send("/help")
    expect(textsOf(await guest.send("/start"))).toEqual([authTexts.askPassword]) // the 3rd: the limit is reached
    const deletesBefore = bot.tg.callsOf("deleteMessage").length
    const shown = await guest.send(USER_PASSWORD)
    expect(textsOf(shown)).toEqual([texts.rateLimited("minute", 1)])
    const deleted = bot.tg.callsOf("deleteMessage").slice(deletesBefore)
    expect(deleted.map((c) => c.params.chat_id)).toEqual([2110])
    const stored = await bot.app.db
      .selectFrom("update_inbox")
      .select("payload")
      .where("chat_id", "=", 2110)
      .execute()
    expect(stored.length).toBeGreaterThan(0)
    expect(stored.filter((r) => JSON.stringify(r.payload).includes(USER_PASSWORD))).toEqual([])
    expect(stored.filter((r) => JSON.stringify(r.payload).includes("[password]"))).toHaveLength(1)
    // The next message in the window is not taken as a password either (it is not checked at all): it is erased
    // too, without a second notice, so a flood at the prompt draws no reply per message.
    const deletesThen = bot.tg.callsOf("deleteMessage").length
    expect(textsOf(await guest.send("ещё одна попытка"))).toEqual([])
    expect(bot.tg.callsOf("deleteMessage").length).toBe(deletesThen + 1)
    expect(await authFailures(bot, "wrong_password")).toBe(0)
  })

  test("what was sent signed in is not held against the guest limit: after /logout and /forget_me the sign-in goes through", async () => {
    bot = await startBot({
      backend,
      env: { GUEST_MAX_REQUESTS_PER_HOUR: "6", GUEST_MAX_REQUESTS_PER_MINUTE: "6" },
    })
    // Six messages as a guest in all (three sign-ins of two each): only they count against the guest limit.
    const anya = bot.user(2111, "Аня")
    await anya.send("/start")
    expect(textsOf(await anya.send(USER_PASSWORD))[0]).toBe(visible(authTexts.loggedIn("user")))
    for (let i = 0; i < 6; i++) expect(textsOf(await anya.send("/whoami"))[0]).toContain("Роль: пользователь")
    await anya.send("/logout")
    await anya.send("/start")
    expect(textsOf(await anya.send(USER_PASSWORD))[0]).toBe(visible(authTexts.loggedIn("user")))
    await anya.send("/forget_me")
    await anya.press(adminTexts.forgetYes)
    await anya.send("/start")
    expect(textsOf(await anya.send(USER_PASSWORD))[0]).toBe(visible(authTexts.loggedIn("user")))
  })

  test("the rate windows are kept by user id: /forget_me does not reset them", async () => {
    bot = await startBot({ backend, env: { GUEST_MAX_REQUESTS_PER_MINUTE: "5" } })
    const stranger = bot.user(2108, "Кто-то")
    await stranger.send("/help")
    await stranger.send("/forget_me")
    await stranger.press(adminTexts.forgetYes)
    expect(textsOf(await stranger.send("/help"))[0]).toContain("/start")
    expect(textsOf(await stranger.send("/help"))[0]).toContain("/start")
    expect(textsOf(await stranger.send("/help"))).toEqual([texts.rateLimited("minute", 1)])
  })

  test("a signed-in user blocked by the hour limit is told once, and /forget_me gives no new allowance", async () => {
    bot = await startBot({ backend, env: { MAX_REQUESTS_PER_MINUTE: "6", MAX_REQUESTS_PER_HOUR: "6" } })
    const anya = bot.user(2109, "Аня")
    await anya.send("/start")
    expect(textsOf(await anya.send(USER_PASSWORD))[0]).toBe(visible(authTexts.loggedIn("user")))
    await anya.send("/whoami")
    await anya.send("/forget_me")
    await anya.press(adminTexts.forgetYes)
    // Six in the hour: /start, the password, /whoami, /forget_me, the button and this /help.
    expect(textsOf(await anya.send("/help"))[0]).toContain("/start")
    expect(textsOf(await anya.send("/help"))).toEqual([texts.rateLimited("hour", 60)])
    expect(await anya.send("/help")).toEqual([])
  })

  test("an admin is held to the minute's limit, not the hour's: a long working session is not cut off", async () => {
    bot = await startBot({ backend, env: { MAX_REQUESTS_PER_MINUTE: "6", MAX_REQUESTS_PER_HOUR: "6" } })
    const boss = bot.user(2110, "Олег")
    const anya = bot.user(2111, "Аня")
    await boss.send("/start")
    expect(textsOf(await boss.send(ADMIN_PASSWORD))[0]).toBe(visible(authTexts.loggedIn("admin")))
    await anya.send("/start")
    expect(textsOf(await anya.send(USER_PASSWORD))[0]).toBe(visible(authTexts.loggedIn("user")))
    // An hour's allowance used up earlier in the hour, the minute's fresh.
    const now = Date.now()
    const rate = {
      minute: { start: now, count: 0, warned: false },
      hour: { start: now, count: 6, warned: false },
    }
    await bot.app.db
      .updateTable("user_limits")
      .set({ rate: jsonb(rate) })
      .where("user_id", "in", [2110, 2111])
      .execute()
    expect(textsOf(await anya.send("/whoami"))).toEqual([texts.rateLimited("hour", 60)])
    for (let i = 0; i < 6; i++) expect(textsOf(await boss.send("/whoami"))[0]).toContain("администратор")
    // The minute's limit still holds.
    expect(textsOf(await boss.send("/whoami"))).toEqual([texts.rateLimited("minute", 1)])
  })
})
