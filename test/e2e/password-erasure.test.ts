import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test"
import { authTexts } from "../../src/auth/texts"
import { cases } from "../../src/cases/registry"
import { scriptRoleplay } from "../support/ai-script"
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
import { commandUpdate, photoUpdate } from "../support/updates"

// Each file boots the real app; bun applies setDefaultTimeout only to the file that calls it.
setDefaultTimeout(30_000)

const spec = cases[0]!

/** Where a password could stay: the chat (not deleted), the stored update, the chat's session. */
const traces = async (bot: TestBot, chatId: number, secret: string) => {
  const inbox = await bot.app.db
    .selectFrom("update_inbox")
    .select("payload")
    .where("chat_id", "=", chatId)
    .execute()
  const sessions = await bot.app.db
    .selectFrom("chat_sessions")
    .select("state")
    .where("chat_id", "=", chatId)
    .execute()
  return [...inbox.map((r) => r.payload), ...sessions.map((r) => r.state)].filter((v) =>
    JSON.stringify(v).includes(secret),
  )
}

const deletedIn = (bot: TestBot, chatId: number) =>
  bot.tg.callsOf("deleteMessage").filter((c) => Number(c.params.chat_id) === chatId).length

describe.each(backends)("a password outside the prompt is erased (%s)", (backend) => {
  let bot: TestBot
  afterEach(async () => bot?.stop())

  test("a newcomer's first message, /start with the password, a captioned photo at the prompt", async () => {
    bot = await startBot({ backend })
    const eager = bot.user(2301)
    expect(textsOf(await eager.send(USER_PASSWORD))).toEqual([authTexts.needLoginErased])
    expect(deletedIn(bot, eager.id)).toBe(1)
    // Any text before sign-in goes the same way: erasing only the right one would tell a guesser it was right.
    expect(textsOf(await eager.send("привет"))).toEqual([authTexts.needLoginErased])
    expect(deletedIn(bot, eager.id)).toBe(2)

    const linked = bot.user(2302)
    const started = textsOf(
      await linked.sendUpdate(commandUpdate("start", { userId: 2302, args: ADMIN_PASSWORD })),
    )
    expect(started).toEqual([authTexts.askPassword])
    expect(deletedIn(bot, linked.id)).toBe(1)

    const captioned = bot.user(2303)
    await captioned.send("/start")
    const photo = photoUpdate({ userId: 2303, caption: USER_PASSWORD })
    expect(textsOf(await captioned.sendUpdate(photo))).toEqual([authTexts.passwordAsText])
    expect(deletedIn(bot, captioned.id)).toBe(1)

    await bot.app.whenIdle()
    for (const [user, secret] of [
      [eager, USER_PASSWORD],
      [linked, ADMIN_PASSWORD],
      [captioned, USER_PASSWORD],
    ] as const)
      expect(await traces(bot, user.id, secret)).toEqual([])
    // The sign-in itself still works afterwards, and its reply is erased as ever.
    await signIn(eager)
    expect(deletedIn(bot, eager.id)).toBe(3)
  })

  test("a signed-in learner types the password into a dialogue: erased, never a line for the persona", async () => {
    bot = await startBot({ backend })
    const script = scriptRoleplay(bot.ai, spec, [{ reply: "Слышу." }])
    const learner: TestUser = bot.user(2304)
    await signIn(learner)
    await learner.send(`/${spec.commands.start}`)
    const deletes = deletedIn(bot, learner.id)
    expect(textsOf(await learner.send(USER_PASSWORD))).toEqual([authTexts.passwordErased])
    expect(deletedIn(bot, learner.id)).toBe(deletes + 1)
    expect(script.personaCalls()).toBe(0)
    // The dialogue goes on as before.
    expect(textsOf(await learner.send("Давай обсудим сроки"))[0]).toStartWith(
      `${spec.persona.emoji} ${spec.persona.name}: Слышу.`,
    )
    await bot.app.whenIdle()
    expect(await traces(bot, learner.id, USER_PASSWORD)).toEqual([])
  })

  test("signed in: /start with the password, and the password over the message limit → erased all the same", async () => {
    bot = await startBot({ backend, env: { MAX_REQUESTS_PER_MINUTE: "6", MAX_REQUESTS_PER_HOUR: "60" } })
    const user = bot.user(2305)
    await signIn(user)
    const deletes = deletedIn(bot, user.id)
    await user.sendUpdate(commandUpdate("start", { userId: user.id, args: USER_PASSWORD }))
    expect(deletedIn(bot, user.id)).toBe(deletes + 1)
    // Over the limit nothing is answered, but the password still leaves the chat and the inbox.
    for (let i = 0; i < 4; i++) await user.send("/whoami")
    expect(textsOf(await user.send(USER_PASSWORD))).toEqual([])
    expect(deletedIn(bot, user.id)).toBe(deletes + 2)
    await bot.app.whenIdle()
    expect(await traces(bot, user.id, USER_PASSWORD)).toEqual([])
  })
})
