import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test"
import { kernelTexts } from "../../src/cases/kernel/texts"
import { cases } from "../../src/cases/registry"
import { visibleText } from "../../src/core/html"
import { backends, type FreshDatabase, freshDatabase } from "../support/database"
import { type FakeBotApi, inlineButtons, type RecordedCall, startFakeBotApi } from "../support/fake-bot-api"
import { signIn, startBot, type TestBot, type TestUser } from "../support/harness"

// Each file boots the real app; bun applies setDefaultTimeout only to the file that calls it.
setDefaultTimeout(30_000)

const k = kernelTexts.buttons
const guideButtons = [k.start, k.soft, k.normal, k.hard, "🏠 Главное меню"]

/** Opens the case card from the main menu and presses «📚 Изучить теорию» on it. */
const pressTheory = async (user: TestUser, title: string) => {
  await user.press(title)
  return user.press(kernelTexts.buttons.theory)
}

/** The file_id Telegram gave the uploaded document (from the fake's answer to sendDocument). */
const fileIdOf = (call: RecordedCall): string => {
  const response = call.response as { ok: boolean; result?: { document?: { file_id?: string } } }
  expect(response.ok).toBe(true)
  return response.result!.document!.file_id!
}

/** Whether the call uploaded bytes (multipart attach://… or a file part) rather than naming a file_id. */
const isUpload = (call: RecordedCall): boolean => {
  const document = call.params.document
  return (
    (typeof document === "string" && document.startsWith("attach://")) ||
    (typeof document === "object" && document !== null)
  )
}

describe.each(backends)("PDF guides end to end (%s)", (backend) => {
  let bot: TestBot | undefined
  let tg: FakeBotApi | undefined
  let database: FreshDatabase | undefined
  afterEach(async () => {
    await bot?.stop()
    await tg?.stop()
    await database?.drop()
    bot = tg = database = undefined
  })

  for (const spec of cases) {
    test(`${spec.id}: first press uploads static/guides/${spec.id}.pdf, the next one re-sends by file_id`, async () => {
      bot = await startBot({ backend })
      const user = bot.user(901)
      await signIn(user)
      const path = `static/guides/${spec.id}.pdf`
      expect(spec.guide).toBe(`${spec.id}.pdf`)
      const bytes = await Bun.file(path).bytes()

      const first = await pressTheory(user, spec.texts.title)
      expect(first.answer?.params).toMatchObject({ text: kernelTexts.guideSent })
      expect(first.answer?.params.show_alert).toBeUndefined()
      const uploads = bot.tg.callsOf("sendDocument")
      expect(uploads).toHaveLength(1)
      const upload = uploads[0]!
      expect(upload.status).toBe(200)
      expect(isUpload(upload)).toBe(true)
      expect(upload.params).toMatchObject({
        chat_id: 901,
        caption: spec.texts.guideCaption,
        parse_mode: "HTML",
      })
      const doc = first.messages.find((m) => m.kind === "document")
      expect(doc).toBeDefined()
      // A readable Russian name, and the case's buttons under it (the original's way): straight into practice.
      expect(doc!.file!.name).toBe(kernelTexts.guideFileName(spec))
      expect(doc!.file!.name).toMatch(/^Памятка — [А-ЯЁ][а-яё ]+\.pdf$/)
      expect(inlineButtons(doc!).map((b) => b.text)).toEqual(guideButtons)
      expect(doc!.file!.mime).toBe("application/pdf")
      expect(doc!.file!.bytes.byteLength).toBe(bytes.byteLength)
      expect(Buffer.from(doc!.file!.bytes).equals(Buffer.from(bytes))).toBe(true)
      expect(doc!.html).toBe(spec.texts.guideCaption)
      expect(doc!.caption).toBe(visibleText(spec.texts.guideCaption))
      const fileId = fileIdOf(upload)
      const cached = await bot.app.db.selectFrom("telegram_files").select(["key", "file_id"]).execute()
      expect(cached).toEqual([{ key: expect.stringContaining(spec.guide), file_id: fileId }])

      const again = await user.press(kernelTexts.buttons.theory)
      expect(again.answer?.params).toMatchObject({ text: kernelTexts.guideSent })
      const calls = bot.tg.callsOf("sendDocument")
      expect(calls).toHaveLength(2)
      expect(calls[1]!.params.document).toBe(fileId)
      expect(isUpload(calls[1]!)).toBe(false)
      expect(calls[1]!.params).toMatchObject({ caption: spec.texts.guideCaption, parse_mode: "HTML" })
      const resent = again.messages.find((m) => m.kind === "document")
      expect(resent?.file?.file_id).toBe(fileId)
      expect(resent?.html).toBe(spec.texts.guideCaption)
      expect(inlineButtons(resent!).map((b) => b.text)).toEqual(guideButtons)
      // The button under the guide starts the case.
      const started = await user.press(kernelTexts.buttons.start)
      expect(started.messages.at(-1)?.text).toBe(visibleText(spec.texts.algorithm))
      // Still one cache row: the re-send does not write a new one.
      expect(await bot.app.db.selectFrom("telegram_files").selectAll().execute()).toHaveLength(1)
    })
  }

  test("the file_id cache survives a restart of the app on the same database", async () => {
    const spec = cases[0]!
    tg = await startFakeBotApi()
    database = await freshDatabase(backend)
    bot = await startBot({ backend, tg, database })
    const user = bot.user(902)
    await signIn(user)
    await pressTheory(user, spec.texts.title)
    const fileId = fileIdOf(bot.tg.callsOf("sendDocument")[0]!)
    await bot.stop()

    bot = await startBot({ backend, tg, database })
    const again = await bot.user(902).press(kernelTexts.buttons.theory)
    expect(again.answer?.params).toMatchObject({ text: kernelTexts.guideSent })
    const calls = tg.callsOf("sendDocument")
    expect(calls).toHaveLength(2)
    expect(calls[1]!.params.document).toBe(fileId)
    expect(isUpload(calls[1]!)).toBe(false)
    expect(again.messages.find((m) => m.kind === "document")?.file?.file_id).toBe(fileId)
  })

  test("two cases cache their guides separately", async () => {
    bot = await startBot({ backend })
    const user = bot.user(903)
    await signIn(user)
    const [a, b] = [cases[0]!, cases[1]!]
    await pressTheory(user, a.texts.title)
    await user.send("/start")
    await pressTheory(user, b.texts.title)
    const [upA, upB] = bot.tg.callsOf("sendDocument")
    expect(isUpload(upA!)).toBe(true)
    expect(isUpload(upB!)).toBe(true)
    expect(fileIdOf(upA!)).not.toBe(fileIdOf(upB!))
    const doc = user.screen().filter((m) => m.kind === "document")
    expect(doc.map((m) => m.file?.name)).toEqual([kernelTexts.guideFileName(a), kernelTexts.guideFileName(b)])
    expect(await bot.app.db.selectFrom("telegram_files").selectAll().execute()).toHaveLength(2)
  })

  test("a cached file_id Telegram refuses → replaced by a fresh upload", async () => {
    const spec = cases[0]!
    bot = await startBot({ backend })
    const user = bot.user(904)
    await signIn(user)
    await pressTheory(user, spec.texts.title)
    await bot.app.db
      .updateTable("telegram_files")
      .set({ file_id: "BQACAgIAAxkBAAIB-from-another-bot" })
      .execute()
    const sentBefore = bot.tg.callsOf("sendDocument").length
    await user.press(kernelTexts.buttons.theory)
    const after = bot.tg.callsOf("sendDocument").slice(sentBefore)
    expect(after.some((c) => c.status === 200 && isUpload(c))).toBe(true)
    const [row] = await bot.app.db.selectFrom("telegram_files").select("file_id").execute()
    expect(row?.file_id).not.toBe("BQACAgIAAxkBAAIB-from-another-bot")
  })
})
