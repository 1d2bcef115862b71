import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test"
import { broadcastTexts as t } from "../../src/broadcast/texts"
import { addUsers, range } from "../broadcast/support"
import { backends } from "../support/database"
import { ADMIN_PASSWORD, signIn, startBot, type TestBot, textsOf } from "../support/harness"
import { waitFor } from "../support/wait"

// Each file boots the real app; bun applies setDefaultTimeout only to the file that calls it.
setDefaultTimeout(60_000)

describe.each(backends)("broadcast pacing end to end (%s)", (backend) => {
  let bot: TestBot
  afterEach(async () => bot?.stop())

  test("two broadcasts confirmed one after the other: together at most 30 messages in any second, each once", async () => {
    bot = await startBot({ backend })
    const recipients = range(4001, 80)
    await addUsers(bot.app.db, recipients)
    const admin = bot.user(2202, "Олег")
    await signIn(admin, ADMIN_PASSWORD)
    for (const text of ["Первая новость", "Вторая новость"]) {
      await admin.send("/broadcast")
      await admin.send(text)
      await admin.press("Пользователям (80)")
      await admin.press(t.buttons.now)
      expect(textsOf((await admin.press(t.buttons.send)).messages)[0]).toStartWith("📣 Рассылка #")
    }
    const done = async () =>
      (await bot.app.db.selectFrom("broadcasts").select("status").execute()).every((b) => b.status === "done")
    await waitFor("both broadcasts done", done, 30_000)

    for (const id of recipients)
      expect({ id, got: textsOf(bot.tg.chat(id)).sort() }).toEqual({
        id,
        got: ["Вторая новость", "Первая новость"],
      })
    // The fake Bot API has no limit here: what the bot sent is measured. Each paced on its own, the two went out
    // at ~58 a second while they overlapped; one or two over 30 is a loaded machine delaying a request > 20 ms.
    const times = bot.tg.callsOf("sendMessage").map((c) => c.at)
    const fullest = Math.max(...times.map((at) => times.filter((u) => u >= at && u - at < 1000).length))
    expect(fullest).toBeLessThanOrEqual(32)
  })
})
