import { describe, expect, test } from "bun:test"
import { BROADCAST_RATE, messagesPosted, Pacer, postsMessage } from "../../src/lib/send-pacer"

describe("the bot's send pacer (lib/send-pacer.ts)", () => {
  test("replies alone past the limit hold a broadcast send back one window at most, not for good", async () => {
    const pacer = new Pacer(BROADCAST_RATE)
    for (let i = 0; i < 40; i++) pacer.reply() // a full second already
    const chatter = setInterval(() => {
      for (let i = 0; i < 5; i++) pacer.reply()
    }, 50)
    try {
      const opened = await Promise.race([pacer.window().then(() => true), Bun.sleep(4000).then(() => false)])
      expect(opened).toBe(true)
    } finally {
      clearInterval(chatter)
    }
  })

  test("a quiet bot: the window lets a second's worth of sends through at once, the next one waits", async () => {
    const pacer = new Pacer(BROADCAST_RATE)
    for (let i = 0; i < 30; i++) await pacer.window()
    const next = pacer.window().then(() => "sent")
    expect(await Promise.race([next, Bun.sleep(300).then(() => "held")])).toBe("held")
    expect(await next).toBe("sent")
  })

  test("what counts as a message: sends, copies and forwards; not chat actions or drafts", () => {
    for (const method of [
      "sendMessage",
      "sendPhoto",
      "sendDocument",
      "sendVoice",
      "copyMessage",
      "forwardMessage",
    ])
      expect(postsMessage(method)).toBe(true)
    for (const method of ["sendChatAction", "sendMessageDraft", "editMessageText", "answerCallbackQuery"])
      expect(postsMessage(method)).toBe(false)
  })

  test("an album counts as the messages it posts: ten documents are ten, not one", () => {
    const album = { chat_id: 1, media: Array.from({ length: 10 }, () => ({ type: "document", media: "x" })) }
    expect(messagesPosted("sendMediaGroup", album)).toBe(10)
    expect(messagesPosted("sendMessage", { chat_id: 1, text: "x" })).toBe(1)
    expect(messagesPosted("sendChatAction", { chat_id: 1, action: "typing" })).toBe(0)
    expect(messagesPosted("sendMediaGroup", {})).toBe(1)
  })

  test("three albums of ten fill the second: the next broadcast send waits (three single replies would not)", async () => {
    const albums = new Pacer(BROADCAST_RATE)
    for (let i = 0; i < 3; i++) albums.reply(10)
    const held = albums.window().then(() => "sent")
    expect(await Promise.race([held, Bun.sleep(300).then(() => "held")])).toBe("held")
    const singles = new Pacer(BROADCAST_RATE)
    for (let i = 0; i < 3; i++) singles.reply()
    expect(await Promise.race([singles.window().then(() => "sent"), Bun.sleep(300).then(() => "held")])).toBe(
      "sent",
    )
    await held
  })

  test("window(n) waits until n more fit: after 25 sends an album of ten waits, one of five goes", async () => {
    const pacer = new Pacer(BROADCAST_RATE)
    for (let i = 0; i < 25; i++) await pacer.window()
    expect(await Promise.race([pacer.window(5).then(() => "sent"), Bun.sleep(200).then(() => "held")])).toBe(
      "sent",
    )
    const ten = pacer.window(10).then(() => "sent")
    expect(await Promise.race([ten, Bun.sleep(300).then(() => "held")])).toBe("held")
    expect(await ten).toBe("sent")
  })

  test("callers waiting at once do not all see the same room: 29 sent, two at once → one goes, one waits", async () => {
    const pacer = new Pacer(BROADCAST_RATE)
    for (let i = 0; i < 29; i++) await pacer.window()
    const outcomes = await Promise.all(
      [pacer.window(), pacer.window()].map((w) =>
        Promise.race([w.then(() => "sent"), Bun.sleep(300).then(() => "held")]),
      ),
    )
    expect(outcomes.sort()).toEqual(["held", "sent"])
  })

  test("take(n) reserves n slots: after an album of ten, the next send waits ten intervals (~340 ms), not one", async () => {
    const pacer = new Pacer(BROADCAST_RATE)
    await pacer.take(10)
    const started = performance.now()
    await pacer.take()
    expect(performance.now() - started).toBeGreaterThan(300)
  })

  test("take: callers at the same moment get one slot each, in turn", async () => {
    const pacer = new Pacer(BROADCAST_RATE)
    const started = performance.now()
    const at: number[] = []
    await Promise.all([0, 1, 2].map(() => pacer.take().then(() => at.push(performance.now() - started))))
    at.sort((a, b) => a - b)
    expect(at[2]! - at[0]!).toBeGreaterThan(55)
  })
})
