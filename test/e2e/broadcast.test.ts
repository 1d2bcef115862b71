import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test"
import { broadcastTexts as t } from "../../src/broadcast/texts"
import { texts } from "../../src/nav/texts"
import { findJob } from "../../src/scheduler/jobs.repo"
import { addUsers, range } from "../broadcast/support"
import { backends } from "../support/database"
import { inlineButtons } from "../support/fake-bot-api"
import {
  ADMIN_PASSWORD,
  signIn,
  startBot,
  type TestBot,
  type TestUser,
  textsOf,
  USER_PASSWORD,
} from "../support/harness"
import { documentUpdate, photoUpdate } from "../support/updates"
import { waitFor } from "../support/wait"

// Each file boots the real app; bun applies setDefaultTimeout only to the file that calls it.
setDefaultTimeout(60_000)

const ZONE = "Europe/Moscow"
const MESSAGE = "Всем привет! Завтра в 10:00 — <b>разбор</b> кейсов & вопросы."

const statusOf = async (bot: TestBot, id: number) =>
  (await bot.app.db.selectFrom("broadcasts").select("status").where("id", "=", id).executeTakeFirst())?.status

const waitForStatus = (bot: TestBot, id: number, status: string) =>
  waitFor(`broadcast ${id} to become ${status}`, async () => (await statusOf(bot, id)) === status, 20_000)

/** Runs the wizard up to the summary: /broadcast → text → audience → when. */
const compose = async (admin: TestUser, text: string, audienceButton: string, when: string | null) => {
  expect(textsOf(await admin.send("/broadcast"))[0]).toStartWith("📣 Новая рассылка")
  const counted = await admin.send(text)
  // «Считаю получателей…» turns into the question once the counts are in: it does not stay in the chat.
  expect(textsOf(counted)).toEqual([t.askAudience])
  expect(counted[0]!.edits).toBe(1)
  expect(textsOf(admin.screen())).not.toContain(t.counting)
  const asked = await admin.press(audienceButton)
  expect(textsOf(asked.messages)[0]).toStartWith("Когда отправить?")
  return when === null ? (await admin.press(t.buttons.now)).messages : await admin.send(when)
}

describe.each(backends)("broadcasts end to end (%s)", (backend) => {
  let bot: TestBot
  afterEach(async () => bot?.stop())

  test("compose → «now» → every user once, a blocked one marked, live progress ends with the counts", async () => {
    bot = await startBot({ backend, env: { APSCHEDULER_TIMEZONE: ZONE } })
    const learner = bot.user(2001, "Мария")
    await signIn(learner, USER_PASSWORD)
    const others = range(3001, 40)
    await addUsers(bot.app.db, others)
    bot.tg.blockChat(3005)
    const admin = bot.user(2002, "Олег")
    await signIn(admin, ADMIN_PASSWORD)

    const summary = await compose(admin, MESSAGE, "Пользователям (41)", null)
    expect(textsOf(summary)).toEqual([
      t.previewTitle,
      MESSAGE,
      "📣 Проверь рассылку\nКому: пользователи (41)\nКогда: сейчас\n\nВсё верно?",
    ])
    await admin.press(t.buttons.send)
    // As first sent (the message object itself is edited as the delivery goes on).
    const firstShown = bot.tg
      .callsOf("sendMessage")
      .find((c) => c.params.chat_id === 2002 && String(c.params.text).includes("Рассылка #1"))
    expect(firstShown?.params.text).toBe(
      "📣 <b>Рассылка #1</b> · пользователи — 📤 отправляется\nдоставлено 0 из 41 · в очереди: 41",
    )
    await waitForStatus(bot, 1, "done")

    for (const id of [2001, ...others.filter((id) => id !== 3005)])
      expect({ id, got: textsOf(bot.tg.chat(id)).filter((x) => x === MESSAGE).length }).toEqual({
        id,
        got: 1,
      })
    expect(bot.tg.chat(3005)).toEqual([])
    expect(textsOf(bot.tg.chat(2002)).filter((x) => x === MESSAGE)).toHaveLength(1) // the preview only
    // chat() is a snapshot, so it is read again until the final edit (it follows the status change) shows.
    const progressNow = () => bot.tg.chat(2002).find((m) => m.text?.startsWith("📣 Рассылка #1"))
    await waitFor(
      "the final progress edit",
      () => progressNow()?.text?.includes("✅") ?? false,
      10_000,
    ).catch(() => {})
    const progress = progressNow()
    expect(progress?.text).toBe(
      "📣 Рассылка #1 · пользователи — ✅ завершена\nдоставлено 40 из 41 · заблокировали бота: 1",
    )
    expect(progress?.reply_markup ?? null).toBeNull()
    const metrics = await (await fetch(`${bot.opsUrl}/metrics`)).text()
    expect(metrics).toContain('bot_broadcast_deliveries_total{outcome="sent"} 40')
    expect(metrics).toContain('bot_broadcast_deliveries_total{outcome="blocked"} 1')

    const list = textsOf(await admin.send("/broadcasts"))[0]!
    expect(list).toContain("Рассылка #1 · пользователи — ✅ завершена")
  })

  test("scheduled for later → waits; stopped from /broadcasts → never sent; non-admins refused", async () => {
    bot = await startBot({ backend, env: { APSCHEDULER_TIMEZONE: ZONE } })
    const learner = bot.user(2101, "Мария")
    await signIn(learner, USER_PASSWORD)
    const admin = bot.user(2102, "Олег")
    await signIn(admin, ADMIN_PASSWORD)
    const learnerBefore = bot.tg.chat(2101).length

    expect(textsOf(await admin.send("/broadcast"))[0]).toStartWith("📣")
    await admin.send("Привет")
    await admin.press("Всем (2)")
    expect(textsOf(await admin.send("вчера вечером"))).toEqual([t.timeInvalid.replace(/<\/?code>/g, "")])
    const summary = textsOf(await admin.send("завтра 9:00"))
    expect(summary[2]).toMatch(
      /^📣 Проверь рассылку\nКому: все \(2\)\nКогда: \d\d\.\d\d\.\d{4} 09:00 \(Europe\/Moscow\)/,
    )
    const created = textsOf((await admin.press(t.buttons.send)).messages)[0]!
    expect(created).toMatch(
      /^📣 Рассылка #1 · все — 🕒 запланирована на \d\d\.\d\d\.\d{4} 09:00 \(Europe\/Moscow\)/,
    )
    const job = await findJob(bot.app.db, "broadcast:1")
    expect(job?.enabled).toBe(true)
    expect(new Date(job!.next_run_at!).getTime()).toBeGreaterThan(Date.now() + 60_000)

    // A learner cannot list, stop or forge the admin's buttons.
    expect(textsOf(await learner.send("/broadcasts"))).toEqual([texts.adminOnly])
    const forged = await learner.pressData("bc:stop:1")
    expect(forged.answer?.params).toMatchObject({ text: texts.adminOnly, show_alert: true })
    expect(await statusOf(bot, 1)).toBe("scheduled")

    const listed = await admin.send("/broadcasts")
    expect(textsOf(listed)[0]).toContain("Рассылка #1 · все — 🕒 запланирована")
    const stopped = await admin.press("✖️ Отменить #1")
    expect(textsOf(stopped.messages)).toContain(t.stopped(1))
    // The list it was pressed on is shown again, up to date: cancelled, no stop button left.
    const list = stopped.messages.find((m) => m.text?.startsWith("📣 Рассылки"))!
    expect(list.message_id).toBe(listed[0]!.message_id)
    expect(list.text).toContain("Рассылка #1 · все — ✖️ отменена")
    expect(inlineButtons(list).map((b) => b.text)).toEqual([t.buttons.refresh])
    expect(await statusOf(bot, 1)).toBe("cancelled")
    expect((await findJob(bot.app.db, "broadcast:1"))?.enabled).toBe(false)
    const again = await admin.pressData("bc:stop:1")
    expect(textsOf(again.messages)).toEqual([t.notStopped(1)])
    // The /broadcasts refusal (the forged press got an alert), and nothing else.
    expect(bot.tg.chat(2101).length).toBe(learnerBefore + 1)
  })

  test("«✅ Отправить» under an older preview sends nothing: only the button under the latest preview sends", async () => {
    bot = await startBot({ backend })
    const learner = bot.user(2101, "Мария")
    await signIn(learner, USER_PASSWORD)
    const admin = bot.user(2102, "Олег")
    await signIn(admin, ADMIN_PASSWORD)

    await compose(admin, "Черновик А всем пользователям", "Пользователям (1)", null)
    const oldPreview = [...admin.screen()].reverse().find((m) => m.text?.startsWith("📣 Проверь рассылку"))!
    const oldSend = inlineButtons(oldPreview).find((b) => b.text === t.buttons.send)!.callback_data!
    await compose(admin, "Черновик Б только админам", "Администраторам (1)", null)

    const pressed = await admin.pressData(oldSend, oldPreview.message_id)
    expect(pressed.answer?.params).toMatchObject({ text: t.staleSend, show_alert: true })
    expect(await bot.app.db.selectFrom("broadcasts").select("id").execute()).toEqual([])
    expect(textsOf(bot.tg.chat(2101))).not.toContain("Черновик Б только админам")

    // The latest preview's button still sends the draft it shows, to the audience it shows.
    expect(textsOf((await admin.press(t.buttons.send)).messages)[0]).toStartWith(
      "📣 Рассылка #1 · администраторы",
    )
    await waitForStatus(bot, 1, "done")
    expect(textsOf(bot.tg.chat(2101))).not.toContain("Черновик Б только админам")
    expect(textsOf(bot.tg.chat(2102))).toContain("Черновик Б только админам")
  })

  test("cancel mid-wizard and another command both drop the draft; a text after it is not taken", async () => {
    bot = await startBot({ backend })
    const admin = bot.user(2201, "Олег")
    await signIn(admin, ADMIN_PASSWORD)
    await admin.send("/broadcast")
    // A photo or a file with a caption: told plainly that only text goes, the draft still waits for it.
    for (const update of [
      photoUpdate({ chatId: 2201, userId: 2201, caption: "Фото для всех" }),
      documentUpdate({ chatId: 2201, userId: 2201, fileName: "план.pdf" }),
    ])
      expect(textsOf(await admin.sendUpdate(update))).toEqual([t.textOnly])
    expect(t.textOnly).toContain("только текст")
    expect(textsOf((await admin.press(t.buttons.cancel)).messages)).toEqual([t.cancelled])
    await admin.send("/broadcast")
    // Another command in the middle: the admin is told the draft is gone, then gets what they asked for.
    const help = textsOf(await admin.send("/help"))
    expect(help[0]).toBe(t.draftLeft)
    expect(help[1]).toStartWith("ℹ️ Команды")
    await admin.send("Это не рассылка")
    expect(await bot.app.db.selectFrom("broadcasts").selectAll().execute()).toEqual([])
    expect(textsOf(await admin.send("/broadcasts"))).toEqual([t.listEmpty])
  })
})
