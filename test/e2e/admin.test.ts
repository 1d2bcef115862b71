import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test"
import { adminTexts } from "../../src/admin/texts"
import { authTexts } from "../../src/auth/texts"
import { createBroadcast } from "../../src/broadcast/broadcasts.repo"
import { kernelTexts } from "../../src/cases/kernel/texts"
import { cases } from "../../src/cases/registry"
import { texts } from "../../src/nav/texts"
import { reviewOf, scriptRoleplay } from "../support/ai-script"
import { backends } from "../support/database"
import { inlineButtons } from "../support/fake-bot-api"
import { ADMIN_PASSWORD, signIn, startBot, type TestBot, textsOf, USER_PASSWORD } from "../support/harness"
import { decodePng, drawnIn } from "../support/png"

// Each file boots the real app; bun applies setDefaultTimeout only to the file that calls it.
setDefaultTimeout(30_000)

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]

describe.each(backends)("admin commands end to end (%s)", (backend) => {
  let bot: TestBot
  afterEach(async () => bot?.stop())

  test("every admin command and button → a polite refusal for a user, nothing else", async () => {
    bot = await startBot({ backend })
    const user = bot.user(1101, "Иван")
    await signIn(user, USER_PASSWORD)
    for (const command of [
      "/admin",
      "/stats",
      "/users",
      "/setrole 1101 admin",
      "/export",
      "/broadcast",
      "/broadcasts",
      "/dbping",
    ])
      expect(textsOf(await user.send(command))).toEqual([texts.adminOnly])
    for (const data of [
      "admin:stats",
      "admin:users",
      "admin:menu",
      "usr:1101",
      "bc:list",
      "bc:now",
      "bc:send",
      "bc:to:all",
      "bc:stop:1",
    ]) {
      const pressed = await user.pressData(data)
      expect({ data, answer: pressed.answer?.params }).toMatchObject({
        data,
        answer: { text: texts.adminOnly, show_alert: true },
      })
    }
    expect(bot.tg.callsOf("sendPhoto")).toEqual([])
    expect(
      await bot.app.db.selectFrom("authorized_users").select("role").where("user_id", "=", 1101).execute(),
    ).toEqual([{ role: "user" }])
  })

  test("/stats → the text and a valid PNG chart; /users lists people; /setrole changes a role", async () => {
    bot = await startBot({ backend })
    const spec = cases[0]!
    const keys = spec.methodology.components.map((c) => c.key)
    scriptRoleplay(
      bot.ai,
      spec,
      [{ reply: "Ну.", covered: keys.slice(0, 2) }],
      reviewOf(spec, keys.slice(0, 2)),
    )
    const learner = bot.user(1102, "Мария")
    await signIn(learner, USER_PASSWORD)
    await learner.send(`/${spec.commands.start}`)
    await learner.send("Реплика")
    await learner.send(kernelTexts.buttons.analysis)
    const boss = bot.user(1103, "Олег")
    await signIn(boss, ADMIN_PASSWORD)
    const shown = textsOf(await boss.send("/stats"))
    expect(shown[0]).toStartWith("📊 Статистика бота")
    expect(shown[0]).toContain("администраторы — 1")
    expect(shown[0]).toContain(spec.texts.title)
    // Trust in the verdicts: no step split the three samples; the reviewer's made-up quotes failed the check.
    expect(shown[0]).toContain("доверие к разбору: спорных шагов 0% (0 из 5), непроверенных цитат")
    const photo = bot.tg.callsOf("sendPhoto").at(-1)
    expect(photo?.status).toBe(200)
    const bytes = bot.tg.chat(1103).find((m) => m.kind === "photo")?.file?.bytes
    expect([...(bytes ?? new Uint8Array()).slice(0, 8)]).toEqual(PNG)
    // Read back: the chart's size, and a bar drawn in the first case's slot (the only case with an attempt).
    const png = decodePng(bytes!)
    expect([png.width, png.height]).toEqual([900, 520])
    const slot = (870 - 80) / cases.length
    expect(drawnIn(png, Math.round(80 + slot * 0.3), Math.round(80 + slot * 0.7), 100, 400)).toBeGreaterThan(
      1000,
    )
    expect(drawnIn(png, Math.round(80 + slot * 1.3), Math.round(80 + slot * 1.7), 100, 380)).toBe(0)
    const users = textsOf(await boss.send("/users"))[0]!
    expect(users).toContain("1102 Мария")
    expect(users).toContain("1103 Олег")
    expect(textsOf(await boss.send("/users мар"))[0]).not.toContain("Олег")
    expect(textsOf(await boss.send("/setrole 1102 admin"))[0]).toContain("администратор")
    expect(
      await bot.app.db.selectFrom("authorized_users").select("role").where("user_id", "=", 1102).execute(),
    ).toEqual([{ role: "admin" }])
    // A numeric id may be authorised ahead of the person's first visit; an unknown @username cannot be resolved.
    expect(textsOf(await boss.send("/setrole @nobody_here admin"))[0]).toContain("не найден")
    expect(textsOf(await boss.send("/setrole 999 none"))[0]).toContain("не найден")
    expect(textsOf(await boss.send("/setrole кто-то"))[0]).toBe(
      `${adminTexts.setroleBadTarget("кто-то")}\n\n${adminTexts.setroleUsage}`
        .replace(/<[^>]+>/g, "")
        .replace(/&lt;/g, "<")
        .replace(/&gt;/g, ">"),
    )
    expect(textsOf(await boss.send("/setrole 1102 none"))[0]).toContain("закрыт")
    expect(
      await bot.app.db.selectFrom("authorized_users").where("user_id", "=", 1102).selectAll().execute(),
    ).toEqual([])
  })

  test("/forget_me → asks first; «no» keeps everything; «yes» deletes the user's data", async () => {
    bot = await startBot({ backend })
    const spec = cases[0]!
    scriptRoleplay(bot.ai, spec, [{ reply: "Ну." }], reviewOf(spec, []))
    const user = bot.user(1104, "Анна")
    await signIn(user, USER_PASSWORD)
    await user.send(`/${spec.commands.start}`)
    await user.send("Реплика")
    await user.send(kernelTexts.buttons.analysis)
    const { recipients } = await createBroadcast(bot.app.db, {
      createdBy: 1,
      html: "новость",
      audience: "all",
    })
    expect(recipients).toBe(1)
    expect(textsOf(await user.send("/forget_me"))[0]).toStartWith("🗑")
    expect(textsOf((await user.press(adminTexts.forgetNo)).messages)).toEqual([
      adminTexts.forgetAnswered(adminTexts.forgetNo),
      adminTexts.forgetKept,
    ])
    // The answered question keeps no buttons: its old «Да» cannot be pressed by mistake later.
    const yes = user.screen().filter((m) => inlineButtons(m).some((b) => b.text === adminTexts.forgetYes))
    expect(yes).toEqual([])
    await user.send("/forget_me")
    const done = await user.press(adminTexts.forgetYes)
    expect(textsOf(done.messages)).toEqual([
      adminTexts.forgetAnswered(adminTexts.forgetYes),
      adminTexts.forgetDone,
    ])
    for (const table of [
      "case_attempts",
      "case_stats",
      "rating_invites",
      "authorized_users",
      "broadcast_recipients",
    ] as const)
      expect(await bot.app.db.selectFrom(table).selectAll().where("user_id", "=", 1104).execute()).toEqual([])
    expect(textsOf(await user.send("/whoami"))).toEqual([authTexts.needLogin])
  })
})
