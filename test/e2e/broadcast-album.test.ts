import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test"
import { broadcastTexts as t } from "../../src/broadcast/texts"
import { SHEET_TITLES } from "../../src/export/sheets-data.repo"
import { addUsers, range } from "../broadcast/support"
import { backends } from "../support/database"
import type { RecordedCall } from "../support/fake-bot-api"
import { ADMIN_PASSWORD, signIn, startBot, type TestBot, textsOf } from "../support/harness"
import { waitFor } from "../support/wait"

// Each file boots the real app; bun applies setDefaultTimeout only to the file that calls it.
setDefaultTimeout(60_000)

/** Messages a call put in chats, as Telegram counts them against its 30 a second: an album is one per file. */
const messagesOf = (c: RecordedCall) =>
  c.method === "sendMediaGroup" && Array.isArray(c.params.media) ? c.params.media.length : 1

describe.each(backends)("a broadcast and an export's album at once (%s)", (backend) => {
  let bot: TestBot
  afterEach(async () => bot?.stop())

  test("the album waits for room: at most 30 messages in any second, files counted one by one", async () => {
    bot = await startBot({ backend })
    const recipients = range(5001, 150)
    await addUsers(bot.app.db, recipients)
    const [admin, ...others] = [bot.user(2303, "Олег"), bot.user(2304, "Ирина"), bot.user(2305, "Пётр")]
    for (const a of [admin!, ...others]) await signIn(a, ADMIN_PASSWORD)
    await admin!.send("/broadcast")
    await admin!.send("Новость для всех")
    await admin!.press("Пользователям (150)")
    await admin!.press(t.buttons.now)
    expect(textsOf((await admin!.press(t.buttons.send)).messages)[0]).toStartWith("📣 Рассылка #")
    // Three admins export at once while the broadcast fills every second, after their own replies have left the
    // last two seconds (with people talking, a broadcast leaves room for them): each album is one file per sheet.
    await Bun.sleep(2200)
    const shown = await Promise.all([admin!, ...others].map((a) => a.send("/export csv")))
    for (const messages of shown)
      expect(messages.filter((m) => m.kind === "document")).toHaveLength(SHEET_TITLES.length)
    const done = async () =>
      (await bot.app.db.selectFrom("broadcasts").select("status").execute()).every((b) => b.status === "done")
    await waitFor("the broadcast done", done, 30_000)
    for (const id of recipients)
      expect({ id, got: textsOf(bot.tg.chat(id)) }).toEqual({ id, got: ["Новость для всех"] })

    // The fake Bot API has no limit here: what the bot sent is measured, where it arrived. What the pacer holds back
    // is counted: the broadcast's sends and the albums (replies to the admins go at once, by design). The pacer keeps
    // 30 to any 1,020 ms by its own clock; counted over 800 ms, a request may reach the fake up to 220 ms late (a
    // loaded CI machine) without a false alarm, and an album sent into a full second still shows (41–51 before).
    const held = new Set(recipients)
    const posted = bot.tg.calls.filter(
      (c) =>
        c.method === "sendMediaGroup" || (c.method === "sendMessage" && held.has(Number(c.params.chat_id))),
    )
    const fullest = Math.max(
      ...posted.map((first) =>
        posted
          .filter((c) => c.at >= first.at && c.at - first.at < 800)
          .reduce((n, c) => n + messagesOf(c), 0),
      ),
    )
    expect(bot.tg.callsOf("sendMediaGroup")).toHaveLength(3)
    expect(fullest).toBeLessThanOrEqual(30)
  })
})
