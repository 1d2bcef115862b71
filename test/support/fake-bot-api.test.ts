import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test"
import { Api, GrammyError, InputFile, InputMediaBuilder } from "grammy"
import { type FakeBotApi, inlineButtons, replyKeyboard, startFakeBotApi } from "./fake-bot-api"

let fake: FakeBotApi
let api: Api

beforeAll(async () => {
  fake = await startFakeBotApi()
  api = new Api("123:abc", { apiRoot: fake.url })
})

afterAll(async () => {
  await fake.stop()
})

beforeEach(() => {
  fake.reset()
})

/** Runs a call that must fail and returns the GrammyError. */
async function apiError(call: Promise<unknown>): Promise<GrammyError> {
  try {
    await call
  } catch (error) {
    if (error instanceof GrammyError) return error
    throw error
  }
  throw new Error("expected the call to fail")
}

async function raw(
  method: string,
  init?: RequestInit,
  query = "",
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${fake.url}/bot123:abc/${method}${query}`, init)
  return { status: res.status, body: await res.json() }
}

describe("basics", () => {
  test("getMe answers the bot user and records the token", async () => {
    const me = await api.getMe()
    expect(me).toMatchObject({ id: 7000001, is_bot: true, first_name: "EMCO", username: "emco_test_bot" })
    expect(me.can_join_groups).toBe(true)
    expect(fake.calls).toHaveLength(1)
    expect(fake.calls[0]).toMatchObject({ method: "getMe", token: "123:abc", status: 200 })
  })

  test("unknown methods answer 404", async () => {
    const res = await raw("sendHologram", { method: "POST" })
    expect(res).toEqual({
      status: 404,
      body: { ok: false, error_code: 404, description: "Not Found: method not found" },
    })
    expect(fake.callsOf("sendHologram")[0]?.status).toBe(404)
  })

  test("form-urlencoded bodies and query-string params are accepted", async () => {
    const form = await raw("sendMessage", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        chat_id: "42",
        text: "from a form",
        reply_markup: JSON.stringify({ inline_keyboard: [[{ text: "Go", callback_data: "go" }]] }),
      }),
    })
    expect(form.status).toBe(200)
    const query = await raw("sendMessage", undefined, "?chat_id=42&text=from%20a%20query")
    expect(query.status).toBe(200)
    const [first, second] = fake.chat(42)
    expect(first?.text).toBe("from a form")
    expect(inlineButtons(first!)).toEqual([{ text: "Go", callback_data: "go" }])
    expect(second?.text).toBe("from a query")
    expect(fake.callsOf("sendMessage")[0]?.params.chat_id).toBe(42)
  })
})

describe("sendMessage", () => {
  test("returns a realistic message with increasing ids per chat", async () => {
    const first = await api.sendMessage(42, "Hello")
    const second = await api.sendMessage(42, "Again")
    const other = await api.sendMessage(-100500, "Group")
    expect(first).toMatchObject({
      message_id: 1000,
      text: "Hello",
      chat: { id: 42, type: "private" },
      from: { id: 7000001, is_bot: true },
    })
    expect(typeof first.date).toBe("number")
    expect(second.message_id).toBe(1001)
    expect(other.message_id).toBe(1000)
    expect(other.chat.type).toBe("supergroup")
    expect(fake.chat(42).map((m) => m.text)).toEqual(["Hello", "Again"])
  })

  test("uses the chat object of pushed updates", async () => {
    fake.pushUpdate({
      message: { message_id: 1, date: 0, chat: { id: 77, type: "private", first_name: "Ann" } },
    })
    const sent = await api.sendMessage(77, "Hi Ann")
    expect(sent.chat).toEqual({ id: 77, type: "private", first_name: "Ann" })
  })

  test("records reply keyboards", async () => {
    await api.sendMessage(42, "Pick", {
      reply_markup: { keyboard: [[{ text: "Yes" }, "No"]], resize_keyboard: true, is_persistent: true },
    })
    await api.sendMessage(42, "Bye", { reply_markup: { remove_keyboard: true } })
    const [pick, bye] = fake.chat(42)
    expect(replyKeyboard(pick!)).toEqual(["Yes", "No"])
    expect(replyKeyboard(bye!)).toBeUndefined()
  })

  test("rejects an empty text and a missing chat", async () => {
    expect((await apiError(api.sendMessage(42, "   "))).description).toBe(
      "Bad Request: message text is empty",
    )
    expect((await apiError(api.sendMessage(42, "<b></b>", { parse_mode: "HTML" }))).description).toBe(
      "Bad Request: message text is empty",
    )
    const res = await raw("sendMessage", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "x" }),
    })
    expect(res.body).toMatchObject({ error_code: 400, description: "Bad Request: chat_id is empty" })
  })
})

describe("HTML parse mode", () => {
  test("accepts nested tags and stores visible text, raw html and entities", async () => {
    const html =
      '<b>Bold <i>both</i></b> &lt;3 &amp; <a href="https://x.test/?a=1&b=2">link</a> <code>c</code> &#x41;&#66;\n' +
      '<pre><code class="language-ts">let a</code></pre><blockquote expandable>q</blockquote>' +
      '<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler><u>u</u><s>s</s>'
    const sent = await api.sendMessage(42, html, { parse_mode: "HTML" })
    const visible = "Bold both <3 & link c AB\nlet aqstus"
    expect(sent.text).toBe(visible)
    expect(sent.entities).toContainEqual({ type: "bold", offset: 0, length: 9 })
    expect(sent.entities).toContainEqual({ type: "italic", offset: 5, length: 4 })
    expect(sent.entities).toContainEqual({
      type: "text_link",
      offset: 15,
      length: 4,
      url: "https://x.test/?a=1&b=2",
    })
    expect(sent.entities).toContainEqual({ type: "pre", offset: 25, length: 5, language: "ts" })
    expect(sent.entities).toContainEqual({ type: "expandable_blockquote", offset: 30, length: 1 })
    const [stored] = fake.chat(42)
    expect(stored).toMatchObject({ text: visible, html, parse_mode: "HTML", kind: "text" })
  })

  test.each([
    ["a bare <", "1 < 2", 'Unsupported start tag "" at byte offset 2'],
    ["an unclosed tag", "<b>bold", 'Can\'t find end tag corresponding to start tag "b"'],
    ["an unknown tag", "<div>x</div>", 'Unsupported start tag "div" at byte offset 0'],
    ["a mismatched end tag", "<b><i>x</b></i>", 'expected "</i>", found "</b>"'],
    ["a bare &", "Tom & Jerry", "Unsupported character entity at byte offset 4"],
    ["an unknown entity", "a&nbsp;b", "Unsupported character entity"],
    ["a span without spoiler class", '<span class="x">x</span>', 'Tag "span" must have class "tg-spoiler"'],
    ["a link without href", "<a>x</a>", 'Tag "a" must have attribute "href"'],
  ])("rejects %s", async (_name, text, detail) => {
    const error = await apiError(api.sendMessage(42, text, { parse_mode: "HTML" }))
    expect(error.error_code).toBe(400)
    expect(error.description.startsWith("Bad Request: can't parse entities: ")).toBe(true)
    expect(error.description).toContain(detail)
    expect(fake.chat(42)).toEqual([])
  })

  test("MarkdownV2 is stored as is with its parse_mode", async () => {
    await api.sendMessage(42, "*bold*", { parse_mode: "MarkdownV2" })
    expect(fake.chat(42)[0]).toMatchObject({ text: "*bold*", parse_mode: "MarkdownV2" })
  })
})

describe("length limits", () => {
  test("the 4096 limit counts visible text, not markup", async () => {
    const chunk = "<b><i>abcdefghij</i></b>"
    const html = chunk.repeat(400)
    expect(html.length).toBeGreaterThan(4096)
    const sent = await api.sendMessage(42, html, { parse_mode: "HTML" })
    expect(sent.text).toHaveLength(4000)
    await api.sendMessage(42, "x".repeat(4096))
    const error = await apiError(api.sendMessage(42, "x".repeat(4097)))
    expect(error.description).toBe("Bad Request: message is too long")
    const escaped = await api.sendMessage(42, "&lt;".repeat(4096), { parse_mode: "HTML" })
    expect(escaped.text).toHaveLength(4096)
  })

  test("length is counted in UTF-16 code units", async () => {
    const error = await apiError(api.sendMessage(42, "😀".repeat(2049)))
    expect(error.description).toBe("Bad Request: message is too long")
  })

  test("captions are limited to 1024", async () => {
    const doc = new InputFile(new Uint8Array([1]), "a.txt")
    const error = await apiError(api.sendDocument(42, doc, { caption: "c".repeat(1025) }))
    expect(error.description).toBe("Bad Request: message caption is too long")
  })
})

describe("reply markup", () => {
  test("callback_data is limited to 64 bytes", async () => {
    const ok = "я".repeat(32)
    await api.sendMessage(42, "ok", {
      reply_markup: { inline_keyboard: [[{ text: "A", callback_data: ok }]] },
    })
    const tooLong = "я".repeat(33)
    const error = await apiError(
      api.sendMessage(42, "bad", {
        reply_markup: { inline_keyboard: [[{ text: "B", callback_data: tooLong }]] },
      }),
    )
    expect(error.description).toBe("Bad Request: BUTTON_DATA_INVALID")
    expect(inlineButtons(fake.chat(42)[0]!)).toEqual([{ text: "A", callback_data: ok }])
  })

  test("buttons need a text and an action", async () => {
    const empty = await apiError(
      api.sendMessage(42, "x", { reply_markup: { inline_keyboard: [[{ text: "", callback_data: "a" }]] } }),
    )
    expect(empty.error_code).toBe(400)
    const res = await raw("sendMessage", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        chat_id: 42,
        text: "x",
        reply_markup: { inline_keyboard: [[{ text: "plain" }]] },
      }),
    })
    expect(res.body).toMatchObject({
      description:
        "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
    })
  })
})

describe("editing and deleting", () => {
  test("edits text and markup, and reports not found / not modified", async () => {
    const markup = { inline_keyboard: [[{ text: "A", callback_data: "a" }]] }
    const sent = await api.sendMessage(42, "<b>v1</b>", { parse_mode: "HTML", reply_markup: markup })
    const edited = await api.editMessageText(42, sent.message_id, "<b>v2</b>", {
      parse_mode: "HTML",
      reply_markup: markup,
    })
    expect(edited).toMatchObject({ text: "v2", edit_date: expect.any(Number) })
    const same = await apiError(
      api.editMessageText(42, sent.message_id, "<b>v2</b>", { parse_mode: "HTML", reply_markup: markup }),
    )
    expect(same.description).toBe(
      "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
    )
    const missing = await apiError(api.editMessageText(42, 999, "x"))
    expect(missing.description).toBe("Bad Request: message to edit not found")
    const otherChat = await apiError(api.editMessageText(43, sent.message_id, "x"))
    expect(otherChat.description).toBe("Bad Request: message to edit not found")

    await api.editMessageReplyMarkup(42, sent.message_id, {
      reply_markup: { inline_keyboard: [[{ text: "B", callback_data: "b" }]] },
    })
    const [stored] = fake.chat(42)
    expect(stored).toMatchObject({ text: "v2", html: "<b>v2</b>", edits: 2 })
    expect(inlineButtons(stored!)).toEqual([{ text: "B", callback_data: "b" }])
    const unchanged = await apiError(
      api.editMessageReplyMarkup(42, sent.message_id, {
        reply_markup: { inline_keyboard: [[{ text: "B", callback_data: "b" }]] },
      }),
    )
    expect(unchanged.description).toStartWith("Bad Request: message is not modified")
  })

  test("editing text without reply_markup removes the inline keyboard", async () => {
    const sent = await api.sendMessage(42, "v1", {
      reply_markup: { inline_keyboard: [[{ text: "A", callback_data: "a" }]] },
    })
    const edited = await api.editMessageText(42, sent.message_id, "v1")
    expect(edited).not.toHaveProperty("reply_markup")
    expect(inlineButtons(fake.chat(42)[0]!)).toEqual([])
  })

  test("a document has no text to edit", async () => {
    const doc = await api.sendDocument(42, new InputFile(new Uint8Array([1, 2]), "r.pdf"), { caption: "cap" })
    const error = await apiError(api.editMessageText(42, doc.message_id, "new"))
    expect(error.description).toBe("Bad Request: there is no text in the message to edit")
  })

  test("deleteMessage marks the message deleted; a second delete fails", async () => {
    const sent = await api.sendMessage(42, "bye")
    expect(await api.deleteMessage(42, sent.message_id)).toBe(true)
    expect(fake.chat(42)[0]).toMatchObject({ text: "bye", deleted: true })
    const again = await apiError(api.deleteMessage(42, sent.message_id))
    expect(again.description).toBe("Bad Request: message to delete not found")
    const edit = await apiError(api.editMessageText(42, sent.message_id, "x"))
    expect(edit.description).toBe("Bad Request: message to edit not found")
  })
})

describe("files", () => {
  test("sendDocument uploads via multipart, keeps the bytes, and a file_id re-send works", async () => {
    const bytes = new TextEncoder().encode("%PDF-1.7 report")
    const sent = await api.sendDocument(42, new InputFile(bytes, "EMCO report.pdf"), {
      caption: "<b>Your</b> report",
      parse_mode: "HTML",
      reply_markup: { inline_keyboard: [[{ text: "Again", callback_data: "again" }]] },
    })
    expect(sent.document).toMatchObject({
      file_name: "EMCO report.pdf",
      mime_type: "application/pdf",
      file_size: 15,
    })
    expect(sent.caption).toBe("Your report")
    const [stored] = fake.chat(42)
    expect(stored).toMatchObject({ kind: "document", caption: "Your report", html: "<b>Your</b> report" })
    expect(stored?.file?.name).toBe("EMCO report.pdf")
    expect(stored?.file?.bytes).toEqual(bytes)
    expect(inlineButtons(stored!)).toEqual([{ text: "Again", callback_data: "again" }])
    expect(fake.callsOf("sendDocument")[0]?.params.chat_id).toBe(42)

    const resent = await api.sendDocument(43, sent.document.file_id)
    expect(resent.document.file_unique_id).toBe(sent.document.file_unique_id)
    expect(fake.chat(43)[0]?.file?.bytes).toEqual(bytes)
    const unknown = await apiError(api.sendDocument(43, "no-such-file"))
    expect(unknown.description).toBe("Bad Request: wrong file identifier/HTTP URL specified")
  })

  test("a standard multipart upload with the file in the field itself works", async () => {
    const form = new FormData()
    form.set("chat_id", "42")
    form.set("caption", "plain")
    form.set("reply_markup", JSON.stringify({ inline_keyboard: [[{ text: "X", url: "https://x.test" }]] }))
    form.set("document", new File([new Uint8Array([5, 6])], "notes.txt", { type: "text/plain" }))
    const res = await raw("sendDocument", { method: "POST", body: form })
    expect(res.status).toBe(200)
    const [stored] = fake.chat(42)
    expect(stored?.file).toMatchObject({
      name: "notes.txt",
      mime: "text/plain",
      bytes: new Uint8Array([5, 6]),
    })
    expect(inlineButtons(stored!)).toEqual([{ text: "X", url: "https://x.test" }])
    expect(fake.callsOf("sendDocument")[0]?.params.document).toMatchObject({ filename: "notes.txt", size: 2 })
  })

  test("grammY's unquoted multipart file names survive spaces and quotes", async () => {
    await api.sendDocument(42, new InputFile(new Uint8Array([1]), 'Q1 "final" report.pdf'))
    expect(fake.chat(42)[0]?.file?.name).toBe('Q1 "final" report.pdf')
  })

  test("sendPhoto and sendVoice answer photo sizes and voice objects", async () => {
    const photo = await api.sendPhoto(42, new InputFile(new Uint8Array([0xff, 0xd8])))
    expect(photo.photo[0]?.file_id).toEqual(expect.any(String))
    const voice = await api.sendVoice(42, new InputFile(new Uint8Array([1, 2, 3])))
    expect(voice.voice).toMatchObject({ mime_type: "audio/ogg", file_size: 3 })
    expect(fake.chat(42).map((m) => m.kind)).toEqual(["photo", "voice"])
  })

  test("getFile and download return the registered bytes", async () => {
    const bytes = new Uint8Array([7, 8, 9])
    const { file_id } = fake.addFile(bytes, { filePath: "voice/file_1.oga" })
    const file = await api.getFile(file_id)
    expect(file).toMatchObject({ file_id, file_size: 3, file_path: "voice/file_1.oga" })
    const res = await fetch(`${fake.url}/file/bot123:abc/${file.file_path}`)
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes)

    expect((await apiError(api.getFile("nope"))).description).toBe("Bad Request: invalid file_id")
    const big = fake.addFile(new Uint8Array(), { size: 21 * 1024 * 1024 })
    expect((await apiError(api.getFile(big.file_id))).description).toBe("Bad Request: file is too big")
    expect((await fetch(`${fake.url}/file/bot123:abc/missing/file`)).status).toBe(404)
  })

  test("uploaded files can be downloaded too", async () => {
    const sent = await api.sendDocument(42, new InputFile(new Uint8Array([4, 2]), "a.bin"))
    const file = await api.getFile(sent.document.file_id)
    const res = await fetch(`${fake.url}/file/bot123:abc/${file.file_path}`)
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(new Uint8Array([4, 2]))
  })
})

describe("getUpdates", () => {
  test("long polling returns an update pushed while waiting", async () => {
    const started = Date.now()
    const poll = api.getUpdates({ timeout: 2, allowed_updates: ["message", "callback_query"] })
    await Bun.sleep(50)
    const id = fake.pushUpdate({
      message: { message_id: 1, date: 0, chat: { id: 42, type: "private" }, text: "hi" },
    })
    const updates = await poll
    expect(Date.now() - started).toBeLessThan(1000)
    expect(updates.map((u) => u.update_id)).toEqual([id])
    expect(fake.callsOf("getUpdates")[0]?.params.allowed_updates).toEqual(["message", "callback_query"])
  })

  test("an empty poll ends after its timeout", async () => {
    const started = Date.now()
    expect(await api.getUpdates({ timeout: 0.2 })).toEqual([])
    expect(Date.now() - started).toBeGreaterThanOrEqual(180)
  })

  test("offset confirms earlier updates and limit caps the batch", async () => {
    const a = fake.pushUpdate({ message: { text: "a" } })
    const b = fake.pushUpdate({ message: { text: "b" } })
    const c = fake.pushUpdate({ update_id: b + 10, message: { text: "c" } })
    expect((await api.getUpdates({ limit: 2 })).map((u) => u.update_id)).toEqual([a, b])
    expect((await api.getUpdates({ offset: b + 1 })).map((u) => u.update_id)).toEqual([c])
    expect(await api.getUpdates({ offset: c + 1 })).toEqual([])
    expect(fake.pushUpdate({})).toBe(c + 1)
  })

  test("is refused while a webhook is set", async () => {
    await api.setWebhook("https://bot.example/telegram", { secret_token: "s3cret_-x" })
    expect(fake.webhook).toMatchObject({ url: "https://bot.example/telegram", secret_token: "s3cret_-x" })
    expect((await apiError(api.getUpdates())).error_code).toBe(409)
    await api.deleteWebhook()
    expect(await api.getUpdates()).toEqual([])
  })
})

describe("webhook and commands", () => {
  test("setWebhook validates the secret token", async () => {
    const error = await apiError(api.setWebhook("https://bot.example/hook", { secret_token: "a+b/c=" }))
    expect(error.description).toBe("Bad Request: secret token contains unallowed characters")
    const info = await api.getWebhookInfo()
    expect(info.url).toBe("")
  })

  test("setMyCommands validates names and descriptions", async () => {
    await api.setMyCommands([{ command: "start", description: "Start" }])
    expect(await api.getMyCommands()).toEqual([{ command: "start", description: "Start" }])
    expect((await apiError(api.setMyCommands([{ command: "Start", description: "x" }]))).error_code).toBe(400)
    expect((await apiError(api.setMyCommands([{ command: "ok", description: "" }]))).error_code).toBe(400)
  })
})

describe("fault injection", () => {
  test("429 surfaces as a GrammyError with retry_after", async () => {
    fake.failNext("sendMessage", { status: 429, retryAfter: 3 })
    const error = await apiError(api.sendMessage(42, "x"))
    expect(error.error_code).toBe(429)
    expect(error.description).toBe("Too Many Requests: retry after 3")
    expect(error.parameters.retry_after).toBe(3)
    expect(fake.callsOf("sendMessage")[0]?.status).toBe(429)
    expect(fake.chat(42)).toEqual([])
    await api.sendMessage(42, "x")
    expect(fake.chat(42)).toHaveLength(1)
  })

  test("5xx faults are consumed in order, also through *", async () => {
    fake.failNext("*", { status: 500 })
    fake.failNext("sendMessage", { status: 502 }, 2)
    expect((await apiError(api.sendMessage(42, "x"))).description).toBe("Internal Server Error")
    expect((await apiError(api.sendMessage(42, "x"))).description).toBe("Bad Gateway")
    expect((await apiError(api.sendMessage(42, "x"))).error_code).toBe(502)
    await api.sendMessage(42, "x")
    expect(fake.calls.map((c) => c.status)).toEqual([500, 502, 502, 200])
  })

  test("injected 403 uses the given description", async () => {
    fake.failNext("sendMessage", { status: 403, description: "Forbidden: user is deactivated" })
    const error = await apiError(api.sendMessage(42, "x"))
    expect(error.error_code).toBe(403)
    expect(error.description).toBe("Forbidden: user is deactivated")
  })

  test("delayNext delays the answer", async () => {
    fake.delayNext("sendMessage", 150)
    const started = Date.now()
    await api.sendMessage(42, "slow")
    expect(Date.now() - started).toBeGreaterThanOrEqual(140)
    const quick = Date.now()
    await api.sendMessage(42, "fast")
    expect(Date.now() - quick).toBeLessThan(100)
  })

  test("blockChat answers 403 for sends and edits", async () => {
    const sent = await api.sendMessage(42, "before")
    fake.blockChat(42)
    const error = await apiError(api.sendMessage(42, "x"))
    expect(error.error_code).toBe(403)
    expect(error.description).toBe("Forbidden: bot was blocked by the user")
    expect((await apiError(api.editMessageText(42, sent.message_id, "y"))).error_code).toBe(403)
    expect((await apiError(api.sendChatAction(42, "typing"))).error_code).toBe(403)
    await api.sendMessage(43, "others still work")
  })

  test("the rate limit answers 429 retry_after 1 above perSecond send calls", async () => {
    fake.setRateLimit(3)
    for (let i = 0; i < 3; i++) await api.sendMessage(42, `m${i}`)
    const error = await apiError(api.sendMessage(42, "too many"))
    expect(error.error_code).toBe(429)
    expect(error.parameters.retry_after).toBe(1)
    await api.getMe()
    fake.setRateLimit(null)
    await api.sendMessage(42, "again")
  })

  test("an album counts against the rate limit as its items, as Telegram counts it", async () => {
    fake.setRateLimit(5)
    const album = (n: number) =>
      Array.from({ length: n }, (_, i) =>
        InputMediaBuilder.document(new InputFile(new TextEncoder().encode(`f${i}`), `f${i}.csv`)),
      )
    await api.sendMediaGroup(42, album(3))
    expect((await apiError(api.sendMediaGroup(42, album(3)))).error_code).toBe(429)
    await api.sendMessage(42, "the fourth message still fits")
    fake.setRateLimit(null)
  })
})

describe("sendMessageDraft and callbacks", () => {
  test("drafts work only in private chats", async () => {
    expect(await api.sendMessageDraft(42, 1, "Thinking…")).toBe(true)
    expect(await api.sendMessageDraft(42, 1, "")).toBe(true)
    expect((await apiError(api.sendMessageDraft(-100123, 1, "x"))).error_code).toBe(400)
    expect((await apiError(api.sendMessageDraft(42, 0, "x"))).error_code).toBe(400)
  })

  test("answerCallbackQuery limits the text to 200 characters", async () => {
    expect(await api.answerCallbackQuery("q1", { text: "ok" })).toBe(true)
    expect((await apiError(api.answerCallbackQuery("q1", { text: "x".repeat(201) }))).error_code).toBe(400)
  })
})

describe("waitFor", () => {
  test("resolves for a future call", async () => {
    const waiting = fake.waitFor("sendMessage", (c) => c.params.text === "second")
    await api.sendMessage(42, "first")
    setTimeout(() => void api.sendMessage(42, "second"), 20)
    const call = await waiting
    expect(call.params.text).toBe("second")
    expect(call.status).toBe(200)
    expect(call.response).toMatchObject({ ok: true, result: { text: "second" } })
  })

  test("resolves at once for a call already recorded", async () => {
    await api.sendChatAction(42, "typing")
    expect((await fake.waitFor("sendChatAction")).params.action).toBe("typing")
  })

  test("rejects with the methods seen so far on timeout", async () => {
    await api.getMe()
    await api.sendMessage(42, "a")
    await api.sendMessage(42, "b")
    await expect(fake.waitFor("editMessageText", undefined, 50)).rejects.toThrow(
      "methods seen so far: getMe, sendMessage ×2",
    )
  })
})
