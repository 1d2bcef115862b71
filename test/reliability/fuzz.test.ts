import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test"
import { authTexts } from "../../src/auth/texts"
import {
  ADMIN_PASSWORD,
  startBot,
  type TestBot,
  textsOf,
  USER_PASSWORD,
  WEBHOOK_SECRET,
} from "../support/harness"
import { fuzzedUpdates } from "./fuzz-updates"

setDefaultTimeout(300_000)

const COUNT = 10_000
const USER = 4401
const ADMIN = 4402

/** R5: 10,000 fuzzed and malformed updates through the real webhook and pipeline (PGlite). */
describe("fuzzed webhook traffic", () => {
  let bot: TestBot
  const statuses = new Map<number, number>()
  const failures: string[] = []
  beforeAll(async () => {
    bot = await startBot({ backend: "pglite" })
    const user = bot.user(USER, "Юля")
    await user.send("/start")
    await user.send(USER_PASSWORD)
    const admin = bot.user(ADMIN, "Админ")
    await admin.send("/start")
    await admin.send(ADMIN_PASSWORD)
    bot.tg.reset()
    const bodies = fuzzedUpdates(COUNT, { seed: 20261125, knownUsers: [USER], victimChat: ADMIN })
    for (let i = 0; i < bodies.length; i += 100) {
      const batch = bodies.slice(i, i + 100)
      const results = await Promise.all(
        batch.map((body) =>
          fetch(bot.webhookUrl, {
            method: "POST",
            headers: {
              "content-type": "application/json",
              "x-telegram-bot-api-secret-token": WEBHOOK_SECRET,
            },
            body,
          }).then(async (r) => {
            if (r.status >= 500 && failures.length < 3)
              failures.push(`${r.status} ${await r.text()} ${body.slice(0, 300)}`)
            return r.status
          }),
        ),
      )
      for (const s of results) statuses.set(s, (statuses.get(s) ?? 0) + 1)
    }
    await bot.app.whenIdle(240_000)
  })
  afterAll(async () => bot?.stop())

  test("every request → 200 or 400 (never 5xx, so Telegram never loops on one); the process is healthy", async () => {
    expect(failures).toEqual([])
    expect([...statuses.keys()].filter((s) => s !== 200 && s !== 400)).toEqual([])
    expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(COUNT)
    expect((await fetch(`${bot.opsUrl}/health`)).status).toBe(200)
    expect((await fetch(`${bot.opsUrl}/ready`)).status).toBe(200)
  })

  test("nothing stays stuck: no inbox row left pending, none given up on", async () => {
    // Not a vacuous run: a good share of the bodies were well-formed enough to go through the whole pipeline.
    const stored = await bot.app.db
      .selectFrom("update_inbox")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow()
    expect(Number(stored.n)).toBeGreaterThan(2000)
    const pending = await bot.app.db
      .selectFrom("update_inbox")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("processed_at", "is", null)
      .executeTakeFirstOrThrow()
    expect(Number(pending.n)).toBe(0)
    const failed = await bot.app.db
      .selectFrom("update_inbox")
      .select(["id", "last_error"])
      .where("attempts", ">", 0)
      .execute()
    expect(failed).toEqual([])
  })

  test("no leak: nobody but the admin got admin data; no broadcast, role change or raw error text", async () => {
    const sent = bot.tg.callsOf("sendMessage").concat(bot.tg.callsOf("editMessageText"))
    for (const call of sent) {
      const text = String(call.params.text ?? "")
      expect(text).not.toMatch(
        /TypeError|ReferenceError|SyntaxError|DbError|\bat .+:\d+:\d+|undefined|\[object Object\]/,
      )
      if (Number(call.params.chat_id) !== ADMIN) {
        expect(text).not.toContain("Статистика бота")
        expect(text).not.toContain("Пользователи</b> (")
        expect(text).not.toContain("Рассылка #")
      }
    }
    expect(bot.tg.callsOf("sendPhoto")).toEqual([])
    expect(await bot.app.db.selectFrom("broadcasts").selectAll().execute()).toEqual([])
    // The learner may have used /forget_me (their own right); nobody may have gained or lost admin rights.
    const admins = await bot.app.db
      .selectFrom("authorized_users")
      .select("user_id")
      .where("role", "=", "admin")
      .execute()
    expect(admins.map((r) => Number(r.user_id))).toEqual([ADMIN])
  })

  test("afterwards the bot answers as usual", async () => {
    expect(textsOf(await bot.user(ADMIN).send("/whoami"))[0]).toContain("Роль: администратор")
    expect(textsOf(await bot.user(4499).send("/start"))).toContain(authTexts.askPassword)
  })
})
