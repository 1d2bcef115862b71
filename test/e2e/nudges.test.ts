import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test"
import { cases } from "../../src/cases/registry"
import { visibleText } from "../../src/core/html"
import { makeNudgeJob } from "../../src/nudges/job"
import { nudgeTexts as t } from "../../src/nudges/texts"
import { reviewedAttempt } from "../support/attempt"
import { backends } from "../support/database"
import { inlineButtons } from "../support/fake-bot-api"
import {
  ADMIN_PASSWORD,
  signIn,
  startBot,
  type TestBot,
  type TestUser,
  USER_PASSWORD,
} from "../support/harness"
import { waitFor } from "../support/wait"

setDefaultTimeout(60_000)

const ZONE = "Europe/Moscow"
const spec = cases[0]!
const keys = spec.methodology.components.map((c) => c.key)
const WEEK = 7 * 86_400_000

describe.each(backends)("the weekly practice reminder (%s)", (backend) => {
  let bot: TestBot
  afterEach(async () => bot?.stop())

  /** Reminders delivered to the chat (a message turned into the settings screen by its own button still counts). */
  const nudgesTo = (userId: number) =>
    bot.tg
      .chat(userId)
      .filter(
        (m) =>
          m.text?.startsWith("👋 Напоминание о тренировке") ||
          (m.edits > 0 && m.text === visibleText(t.settings(false, "раз в неделю"))),
      )
  const optIn = async (user: TestUser) => {
    const screen = (await user.send("/settings")).at(-1)!
    expect(screen.text).toBe(visibleText(t.settings(false, "раз в неделю")))
    const on = await user.press(t.on)
    expect(on.answer?.params.text).toBe(t.turnedOn)
    expect(on.messages.at(-1)!.text).toBe(visibleText(t.settings(true, "раз в неделю")))
  }

  test("/settings names the configured day and time of the reminder", async () => {
    bot = await startBot({ backend, env: { APSCHEDULER_TIMEZONE: ZONE, NUDGE_SCHEDULE: "0 0 10 * * 3" } })
    const user = bot.user(1510, "Аня")
    await signIn(user, USER_PASSWORD)
    const screen = (await user.send("/settings")).at(-1)!
    expect(screen.text).toBe(visibleText(t.settings(false, "по средам в 10:00 (МСК)")))
    expect(screen.text).toContain("по средам в 10:00 (МСК)")
  })

  test("opted-in learners get one reminder a week naming their weakest step; never the others, the removed or the blocked", async () => {
    // The weekly tick is run by hand below (its schedule here is once a year, so it never fires by itself).
    bot = await startBot({ backend, env: { APSCHEDULER_TIMEZONE: ZONE, NUDGE_SCHEDULE: "0 0 0 1 1 *" } })
    const anya = bot.user(1501, "Аня") // opted in, one attempt: Behavior and Result shown
    const boris = bot.user(1502, "Борис") // opted in, no attempt yet
    const vera = bot.user(1503, "Вера") // never opted in
    const gleb = bot.user(1504, "Глеб") // opted in, then removed by an admin
    const dina = bot.user(1505, "Дина") // opted in, then blocked the bot
    for (const u of [anya, boris, vera, gleb, dina]) await signIn(u, USER_PASSWORD)
    for (const u of [anya, boris, gleb, dina]) await optIn(u)
    await reviewedAttempt(bot, anya, spec, keys.slice(0, 2))
    const admin = bot.user(1509, "Олег")
    await signIn(admin, ADMIN_PASSWORD)
    await admin.send("/setrole 1504 none")
    bot.tg.blockChat(1505)
    // Dina's block is learnt from an earlier broadcast (a 403 there), as it would be in production.
    await bot.app.db
      .insertInto("broadcasts")
      .values({
        id: 900,
        created_by: 1509,
        html: "x",
        audience: "all",
        status: "done",
        started_at: new Date(),
      })
      .execute()
    await bot.app.db
      .insertInto("broadcast_recipients")
      .values({ broadcast_id: 900, user_id: 1505, state: "blocked" })
      .execute()

    // Two ticks in the same week: one reminder each.
    const tick = makeNudgeJob(bot.app.db, ZONE)
    await tick()
    await tick()
    await waitFor(
      "this week's reminders",
      () => nudgesTo(1501).length === 1 && nudgesTo(1502).length === 1,
      20_000,
    )
    await Bun.sleep(2500)
    const anyaNudge = nudgesTo(1501)
    expect(anyaNudge).toHaveLength(1)
    expect(anyaNudge[0]!.text).toBe(visibleText(t.weakest("Отношение", spec.texts.title)))
    expect(inlineButtons(anyaNudge[0]!).map((b) => [b.text, b.callback_data])).toEqual([
      [t.practise("Отношение"), `case:${spec.id}:start`],
      [t.turnOff, "set:nudges:off"],
    ])
    expect(nudgesTo(1502).map((m) => m.text)).toEqual([visibleText(t.start)])
    for (const id of [1503, 1504, 1505]) expect(nudgesTo(id)).toEqual([])
    expect(
      bot.tg
        .callsOf("sendMessage")
        .filter(
          (c) =>
            [1504, 1505].includes(Number(c.params.chat_id)) &&
            String(c.params.text).startsWith("👋 Напоминание о тренировке"),
        ),
    ).toEqual([])

    // The reminder's button starts the case; its other button turns the reminders off.
    expect((await anya.press(t.practise("Отношение"))).messages.map((m) => m.text)).toContain(
      visibleText(spec.texts.algorithm),
    )
    await anya.send(`/${spec.commands.stop}`)
    await boris.press(t.turnOff)

    // Next week: Anya again, once; Boris turned it off.
    await makeNudgeJob(bot.app.db, ZONE, () => new Date(Date.now() + WEEK))()
    await waitFor("next week's reminder", () => nudgesTo(1501).length === 2, 20_000)
    await Bun.sleep(1500)
    expect(nudgesTo(1501)).toHaveLength(2)
    expect(nudgesTo(1502)).toHaveLength(1)
  })
})
