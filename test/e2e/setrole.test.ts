import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test"
import { sql } from "kysely"
import { adminTexts } from "../../src/admin/texts"
import { authTexts } from "../../src/auth/texts"
import { visibleText as visible } from "../../src/core/html"
import { backends } from "../support/database"
import {
  ADMIN_PASSWORD,
  signIn,
  startBot,
  type TestBot,
  type TestUser,
  textsOf,
  USER_PASSWORD,
} from "../support/harness"
import { textUpdate } from "../support/updates"

// Each file boots the real app; bun applies setDefaultTimeout only to the file that calls it.
setDefaultTimeout(30_000)

const roleOf = async (bot: TestBot, userId: number) =>
  (
    await bot.app.db
      .selectFrom("authorized_users")
      .select("role")
      .where("user_id", "=", userId)
      .executeTakeFirst()
  )?.role ?? null

/** A text from `user` as Telegram shows them now: with this @username and first name. */
const sendAs = (bot: TestBot, user: TestUser, text: string, username: string, firstName: string) =>
  user.sendUpdate(
    textUpdate(text, {
      chatId: user.id,
      userId: user.id,
      firstName,
      username,
      messageId: bot.tg.nextUserMessageId(user.id),
    }),
  )

describe.each(backends)("/setrole end to end (%s)", (backend) => {
  let bot: TestBot
  afterEach(async () => bot?.stop())

  test("/setrole <id> none revokes: the shared password no longer signs in, even after /forget_me, until restored", async () => {
    // More messages without a role than the guest limit allows in a minute: the limit is not what this test is about.
    const limits = {
      MAX_REQUESTS_PER_MINUTE: "60",
      GUEST_MAX_REQUESTS_PER_MINUTE: "60",
      GUEST_MAX_REQUESTS_PER_HOUR: "100",
    }
    bot = await startBot({ backend, env: limits })
    const boss = bot.user(3101, "Олег")
    await signIn(boss, ADMIN_PASSWORD)
    const anya = bot.user(3102, "Аня")
    await signIn(anya)
    expect(textsOf(await boss.send("/setrole 3102 none"))).toEqual([
      visible(adminTexts.setroleRevoked("3102", 3102)),
    ])
    // Told that access is closed, not sent to sign in (which cannot help); a button says the same.
    expect(textsOf(await anya.send("/whoami"))).toEqual([visible(authTexts.accessClosed)])
    // Words typed without a role may be the password: erased all the same, and said why with the closed access.
    expect(textsOf(await anya.send("может, это пароль"))).toEqual([visible(authTexts.accessClosedErased)])
    expect(bot.tg.callsOf("deleteMessage").some((c) => c.params.chat_id === 3102)).toBe(true)
    expect((await anya.pressData("nav:menu")).answer?.params).toMatchObject({
      text: authTexts.accessClosedAlert,
      show_alert: true,
    })
    // /start does not ask for a password that would not be checked; a password sent anyway (`/start <password>`
    // or plain) is erased with the same answer whatever it is: nothing tells the right one apart.
    expect(textsOf(await anya.send("/start"))).toEqual([visible(authTexts.accessClosed)])
    for (const attempt of [USER_PASSWORD, "wrong-password", ADMIN_PASSWORD]) {
      expect(textsOf(await anya.send(`/start ${attempt}`))).toEqual([visible(authTexts.accessClosedErased)])
      expect(textsOf(await anya.send(attempt))).toEqual([visible(authTexts.accessClosedErased)])
    }
    expect(await roleOf(bot, 3102)).toBeNull()
    await anya.send("/forget_me")
    await anya.press(adminTexts.forgetYes)
    await anya.send("/start")
    expect(textsOf(await anya.send(USER_PASSWORD))).toEqual([visible(authTexts.accessClosedErased)])
    expect(textsOf(await boss.send("/setrole 3102 user"))).toEqual([
      visible(adminTexts.setroleDone("3102", "пользователь")),
    ])
    expect(textsOf(await anya.send("/whoami"))[0]).toContain("Роль: пользователь")
  })

  test("a person who blocked the bot cannot be told of their new role: the admin hears that the notice failed", async () => {
    bot = await startBot({ backend })
    const boss = bot.user(3111, "Олег")
    await signIn(boss, ADMIN_PASSWORD)
    const anya = bot.user(3112, "Аня")
    await signIn(anya)
    bot.tg.blockChat(3112)
    await boss.send("/setrole 3112 admin")
    await bot.app.whenIdle()
    expect(textsOf(boss.screen()).slice(-2)).toEqual([
      visible(adminTexts.setroleDone("3112", "администратор")),
      visible(adminTexts.notifyFailed(3112)),
    ])
    expect(await roleOf(bot, 3112)).toBe("admin")
  })

  test("the last admin cannot take away their own role; once there is another admin, they can", async () => {
    bot = await startBot({ backend })
    const boss = bot.user(3201, "Олег")
    await signIn(boss, ADMIN_PASSWORD)
    for (const role of ["user", "none"])
      expect(textsOf(await boss.send(`/setrole 3201 ${role}`))).toEqual([
        visible(adminTexts.setroleLastAdmin),
      ])
    expect(await roleOf(bot, 3201)).toBe("admin")
    // An admin granted to an id that never opened the bot (a typo, or someone yet to come) does not count.
    expect(textsOf(await boss.send("/setrole 3999 admin"))[0]).toContain("администратор")
    expect(textsOf(await boss.send("/setrole 3201 user"))).toEqual([visible(adminTexts.setroleLastAdmin)])
    await signIn(bot.user(3202, "Ира"), ADMIN_PASSWORD)
    const before = bot.tg.chat(3201).length
    expect(textsOf(await boss.send("/setrole 3201 user"))).toEqual([
      visible(adminTexts.setroleOwn("пользователь")),
    ])
    // Told in the reply itself: no notice about their own change.
    expect(bot.tg.chat(3201).length).toBe(before + 1)
    expect(await roleOf(bot, 3201)).toBe("user")
  })

  test("@username names only its current, single holder; a stale or shared one → ask for the numeric id", async () => {
    bot = await startBot({ backend })
    const boss = bot.user(3301, "Олег")
    await signIn(boss, ADMIN_PASSWORD)
    // Renamed in Telegram: the next update refreshes the stored name.
    const anna = bot.user(3302, "Аня")
    await sendAs(bot, anna, "/start", "anya_k", "Аня")
    await sendAs(bot, anna, USER_PASSWORD, "anya_k", "Аня")
    await sendAs(bot, anna, "/whoami", "anya_new", "Анна")
    expect(textsOf(await boss.send("/setrole @anya_k admin"))).toEqual([
      visible(adminTexts.setroleNotFound("@anya_k")),
    ])
    expect(textsOf(await boss.send("/setrole @anya_new admin"))).toEqual([
      visible(adminTexts.setroleDone("@anya_new", "администратор")),
    ])
    expect(await roleOf(bot, 3302)).toBe("admin")
    expect(textsOf(await boss.send("/users анна"))[0]).toContain("3302 Анна @anya_new")

    // Someone gave a name up without writing since, and another person took it: the name is the newcomer's.
    const old = bot.user(3303, "Пётр")
    await sendAs(bot, old, "/start", "shared_name", "Пётр")
    await sendAs(bot, old, USER_PASSWORD, "shared_name", "Пётр")
    const newcomer = bot.user(3304, "Павел")
    await sendAs(bot, newcomer, "/start", "shared_name", "Павел")
    await sendAs(bot, newcomer, USER_PASSWORD, "shared_name", "Павел")
    await boss.send("/setrole @shared_name admin")
    expect([await roleOf(bot, 3303), await roleOf(bot, 3304)]).toEqual(["user", "admin"])

    // Two stored rows with one name (as an older version could leave them): neither is guessed.
    await sql`insert into authorized_users (user_id, role, username) values (3305, 'user', 'twin'), (3306, 'user', 'Twin')`.execute(
      bot.app.db,
    )
    expect(textsOf(await boss.send("/setrole @twin admin"))).toEqual([
      visible(adminTexts.setroleAmbiguous("@twin")),
    ])
    expect([await roleOf(bot, 3305), await roleOf(bot, 3306)]).toEqual(["user", "user"])
  })
})
