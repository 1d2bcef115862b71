import { describe, expect, test } from "bun:test"
import { reduce } from "../../src/app/reducer"
import { broadcastReducer } from "../../src/broadcast/reducer"
import { broadcastTexts as t } from "../../src/broadcast/texts"
import { type CallbackData, callbackData } from "../../src/core/callback-data"
import { Cmd, inline } from "../../src/core/commands"
import { fingerprint } from "../../src/core/fingerprint"
import type { Envelope, Feedback, Input, Role } from "../../src/core/model"
import { initialSession, type Session } from "../../src/core/session"
import { texts } from "../../src/nav/texts"

const ADMIN = 5001
// 2026-11-25 12:00 UTC = 15:00 in Moscow.
const NOW = Date.UTC(2026, 10, 25, 12, 0)
const ZONE = "Europe/Moscow"

const ev = (input: Input, role: Role | null = "admin"): Envelope => ({
  input,
  actor: { userId: ADMIN, chatId: ADMIN, role, firstName: "Админ", username: null, since: null },
  now: NOW,
  authEnabled: true,
  timeZone: ZONE,
})
const command = (name: string): Input => ({ _tag: "Command", name, args: "", messageId: 10 })
const text = (value: string): Input => ({ _tag: "Text", text: value, messageId: 11 })
const press = (data: CallbackData, messageId: number | null = 77): Input => ({
  _tag: "Callback",
  queryId: "q-1",
  data,
  messageId,
})
const feedback = (event: Feedback): Input => ({ _tag: "Feedback", event })

const COUNTS = { all: 12, users: 10, admins: 2, never_completed: 0 }
const draft = (over: Partial<Extract<Session["flow"], { _tag: "BroadcastDraft" }>> = {}): Session => ({
  ...initialSession,
  flow: { _tag: "BroadcastDraft", step: "text", html: "", audience: null, counts: {}, sendAt: null, ...over },
})
const cancelRow = [{ text: t.buttons.cancel, data: "bc:drop" }]

describe("broadcast wizard (pure)", () => {
  test("/broadcast → a draft waiting for the text, with a cancel button", () => {
    expect(broadcastReducer(initialSession, ev(command("broadcast")))).toEqual([
      draft(),
      [Cmd.reply(t.askText, inline(cancelRow))],
    ])
  })

  test("the text → escaped, audience step, recipients counted (the count shows its own progress line)", () => {
    expect(broadcastReducer(draft(), ev(text("Привет <всем> & до встречи")))).toEqual([
      draft({ step: "audience", html: "Привет &lt;всем&gt; &amp; до встречи" }),
      [{ _tag: "CountAudiences" }],
    ])
  })

  test("a formatted text → its HTML kept as is; the length limit counts visible characters", () => {
    const formatted: Input = { _tag: "Text", text: "Важно", messageId: 11, html: "<b>Важно</b>" }
    expect(broadcastReducer(draft(), ev(formatted))?.[0]).toEqual(
      draft({ step: "audience", html: "<b>Важно</b>" }),
    )
    const long = "а".repeat(3990)
    const wrapped: Input = { _tag: "Text", text: long, messageId: 11, html: `<b><i><u>${long}</u></i></b>` }
    expect(broadcastReducer(draft(), ev(wrapped))?.[0]).toEqual(
      draft({ step: "audience", html: `<b><i><u>${long}</u></i></b>` }),
    )
  })

  test("a text longer than one Telegram message → asked to shorten, the draft unchanged", () => {
    const s = draft()
    expect(broadcastReducer(s, ev(text("а".repeat(4001))))).toEqual([s, [Cmd.reply(t.tooLong(4000))]])
  })

  test("counts arrive → «Считаю получателей…» becomes the question, with audience buttons and counts", () => {
    const s = draft({ step: "audience", html: "Привет" })
    const counted = feedback({ _tag: "AudiencesCounted", counts: COUNTS, messageId: 31 })
    const [next, cmds] = broadcastReducer(s, ev(counted))!
    expect(next).toEqual(draft({ step: "audience", html: "Привет", counts: COUNTS }))
    expect(cmds).toEqual([
      Cmd.show(
        31,
        t.askAudience,
        inline(
          [{ text: "Всем (12)", data: "bc:to:all" }],
          [{ text: "Пользователям (10)", data: "bc:to:users" }],
          [{ text: "Администраторам (2)", data: "bc:to:admins" }],
          [{ text: "Кто ещё не прошёл ни одного кейса (0)", data: "bc:to:never_completed" }],
          cancelRow,
        ),
      ),
    ])
  })

  test("an empty audience → an alert, the draft stays; a real one → asked when", () => {
    const s = draft({ step: "audience", html: "Привет", counts: COUNTS })
    expect(
      broadcastReducer(s, ev(press({ _tag: "BroadcastAudience", audience: "never_completed" }))),
    ).toEqual([s, [Cmd.answer("q-1", t.audienceEmpty, true)]])
    expect(broadcastReducer(s, ev(press({ _tag: "BroadcastAudience", audience: "users" })))).toEqual([
      draft({ step: "when", html: "Привет", counts: COUNTS, audience: "users" }),
      [
        Cmd.answer("q-1"),
        Cmd.reply(t.askWhen(ZONE, "16:00"), inline([{ text: t.buttons.now, data: "bc:now" }], cancelRow)),
      ],
    ])
  })

  const atWhen = draft({ step: "when", html: "Привет", counts: COUNTS, audience: "users" })
  const previewOf = (html: string, audience: string, sendAt: number | null) =>
    callbackData.broadcastSend(fingerprint([html, audience, sendAt]))
  const summaryKeyboard = (sendAt: number | null) =>
    inline([{ text: t.buttons.send, data: previewOf("Привет", "users", sendAt) }], cancelRow)

  test("«now» → preview exactly as sent, then the summary to confirm", () => {
    expect(broadcastReducer(atWhen, ev(press({ _tag: "Broadcast", action: "now" })))).toEqual([
      { ...atWhen, flow: { ...(atWhen.flow as object), step: "confirm", sendAt: null } } as Session,
      [
        Cmd.answer("q-1"),
        Cmd.reply(t.previewTitle),
        Cmd.reply("Привет"),
        Cmd.reply(t.summary("пользователи", 10, "сейчас"), summaryKeyboard(null)),
      ],
    ])
  })

  test("a time in the zone → confirm with it; a bad time → a hint, the draft stays", () => {
    const sendAt = Date.parse("2026-11-26T06:00:00Z")
    expect(broadcastReducer(atWhen, ev(text("завтра 9:00")))).toEqual([
      { ...atWhen, flow: { ...(atWhen.flow as object), step: "confirm", sendAt } } as Session,
      [
        Cmd.reply(t.previewTitle),
        Cmd.reply("Привет"),
        Cmd.reply(t.summary("пользователи", 10, `26.11.2026 09:00 (${ZONE})`), summaryKeyboard(sendAt)),
      ],
    ])
    expect(broadcastReducer(atWhen, ev(text("вчера")))).toEqual([atWhen, [Cmd.reply(t.timeInvalid)]])
    expect(broadcastReducer(atWhen, ev(text("25.11 14:00")))).toEqual([atWhen, [Cmd.reply(t.timePast)]])
  })

  test("«send» → the draft ends and one CreateBroadcast with a request key from the button press", () => {
    const s = draft({ step: "confirm", html: "Привет", counts: COUNTS, audience: "users", sendAt: 123 })
    const preview = fingerprint(["Привет", "users", 123])
    expect(broadcastReducer(s, ev(press({ _tag: "BroadcastSend", preview })))).toEqual([
      initialSession,
      [
        Cmd.answer("q-1"),
        {
          _tag: "CreateBroadcast",
          html: "Привет",
          audience: "users",
          sendAt: 123,
          requestKey: `${ADMIN}:q-1`,
        },
      ],
    ])
  })

  test("«send» under an older preview (another text, audience or time), or from before previews were keyed → nothing sent", () => {
    const s = draft({ step: "confirm", html: "Черновик Б", counts: COUNTS, audience: "admins", sendAt: null })
    for (const preview of [
      fingerprint(["Привет", "users", null]),
      fingerprint(["Черновик Б", "users", null]),
      null,
    ])
      expect(broadcastReducer(s, ev(press({ _tag: "BroadcastSend", preview })))).toEqual([
        s,
        [Cmd.answer("q-1", t.staleSend, true)],
      ])
  })

  test("a stale button (no draft, or another step) → an alert, nothing else", () => {
    for (const data of [
      { _tag: "BroadcastSend", preview: "abc" },
      { _tag: "Broadcast", action: "now" },
      { _tag: "Broadcast", action: "drop" },
      { _tag: "BroadcastAudience", audience: "all" },
    ] as const)
      expect(broadcastReducer(initialSession, ev(press(data)))).toEqual([
        initialSession,
        [Cmd.answer("q-1", t.stale, true)],
      ])
    expect(broadcastReducer(atWhen, ev(press({ _tag: "BroadcastSend", preview: "abc" })))).toEqual([
      atWhen,
      [Cmd.answer("q-1", t.stale, true)],
    ])
  })

  test("cancel at any step → idle and a confirmation nothing was sent", () => {
    expect(broadcastReducer(atWhen, ev(press({ _tag: "Broadcast", action: "drop" })))).toEqual([
      initialSession,
      [Cmd.answer("q-1"), Cmd.reply(t.cancelled)],
    ])
  })

  test("a voice or a sticker in the draft → a hint for the step; a too long text → the usual refusal", () => {
    const sticker: Input = { _tag: "Unsupported", kind: "media" }
    expect(broadcastReducer(draft(), ev(sticker))).toEqual([draft(), [Cmd.reply(t.textOnly)]])
    expect(broadcastReducer(atWhen, ev(sticker))).toEqual([atWhen, [Cmd.reply(t.whenAsText)]])
    expect(broadcastReducer(draft(), ev({ _tag: "Rejected", reason: "too_long", limit: 10 }))).toBeNull()
  })

  test("another command or a menu button ends the draft (the root reducer), said first; /broadcast in a dialogue is refused", () => {
    const [next, cmds] = reduce(atWhen, ev(command("help")))
    expect(next.flow).toEqual({ _tag: "Idle" })
    expect(cmds[0]).toEqual(Cmd.reply(t.draftLeft))
    const [byMenu, menuCmds] = reduce(atWhen, ev(press({ _tag: "Nav", target: "faq" })))
    expect(byMenu.flow).toEqual({ _tag: "Idle" })
    expect(menuCmds[0]).toEqual(Cmd.reply(t.draftLeft))
    // The counts that arrive after the draft is gone take their «Считаю получателей…» with them.
    expect(
      broadcastReducer(
        initialSession,
        ev(feedback({ _tag: "AudiencesCounted", counts: COUNTS, messageId: 31 })),
      ),
    ).toEqual([initialSession, [Cmd.delete(31)]])
    const inCase = { ...initialSession, flow: { _tag: "Case" } } as unknown as Session
    expect(broadcastReducer(inCase, ev(command("broadcast")))).toEqual([inCase, [Cmd.reply(t.busy)]])
  })

  test("a non-admin: commands and every broadcast button refused; a lost role ends the draft", () => {
    for (const name of ["broadcast", "broadcasts"])
      expect(broadcastReducer(initialSession, ev(command(name), "user"))).toEqual([
        initialSession,
        [Cmd.reply(texts.adminOnly)],
      ])
    for (const data of [
      { _tag: "BroadcastStop", id: 1, fromList: true },
      { _tag: "Broadcast", action: "list" },
      { _tag: "BroadcastSend", preview: "abc" },
    ] as const)
      expect(broadcastReducer(initialSession, ev(press(data), "user"))).toEqual([
        initialSession,
        [Cmd.answer("q-1", texts.adminOnly, true)],
      ])
    const [next] = reduce(atWhen, ev(text("Привет"), "user"))
    expect(next.flow).toEqual({ _tag: "Idle" })
  })
})

describe("/broadcasts (pure)", () => {
  const view = (id: number, status: "scheduled" | "sending" | "done" | "cancelled") => ({
    id,
    audience: "all",
    status,
    sendAt: Date.parse("2026-11-26T06:00:00Z"),
    counts: { total: 10, pending: 4, sent: 5, failed: 1, blocked: 0 },
  })

  test("the list → one block per broadcast; stop buttons only for active ones; refresh edits in place", () => {
    const loaded = (messageId: number | null): Input =>
      feedback({
        _tag: "BroadcastsLoaded",
        messageId,
        broadcasts: [view(3, "sending"), view(2, "scheduled"), view(1, "done")],
      })
    const html = [
      t.listTitle,
      "📣 <b>Рассылка #3</b> · все — 📤 отправляется\nдоставлено 5 из 10 · не доставлено: 1 · в очереди: 4",
      `📣 <b>Рассылка #2</b> · все — 🕒 запланирована на 26.11.2026 09:00 (${ZONE})\nдоставлено 5 из 10 · не доставлено: 1`,
      "📣 <b>Рассылка #1</b> · все — ✅ завершена\nдоставлено 5 из 10 · не доставлено: 1",
    ].join("\n\n")
    const keyboard = inline(
      [{ text: "✖️ Отменить #3", data: "bc:lstop:3" }],
      [{ text: "✖️ Отменить #2", data: "bc:lstop:2" }],
      [{ text: t.buttons.refresh, data: "bc:list" }],
    )
    expect(broadcastReducer(initialSession, ev(loaded(null)))).toEqual([
      initialSession,
      [Cmd.reply(html, keyboard)],
    ])
    expect(broadcastReducer(initialSession, ev(loaded(9)))).toEqual([
      initialSession,
      [Cmd.edit(9, html, keyboard)],
    ])
  })

  test("none yet → a hint; stop pressed → StopBroadcast; its result → a reply and the list shown again, up to date", () => {
    expect(
      broadcastReducer(
        initialSession,
        ev(feedback({ _tag: "BroadcastsLoaded", messageId: null, broadcasts: [] })),
      ),
    ).toEqual([initialSession, [Cmd.reply(t.listEmpty)]])
    expect(
      broadcastReducer(initialSession, ev(press({ _tag: "BroadcastStop", id: 4, fromList: true }))),
    ).toEqual([initialSession, [Cmd.answer("q-1"), { _tag: "StopBroadcast", id: 4, listMessageId: 77 }]])
    // Under the broadcast's own progress message: that message shows the stop; no list to refresh.
    expect(
      broadcastReducer(initialSession, ev(press({ _tag: "BroadcastStop", id: 4, fromList: false }))),
    ).toEqual([initialSession, [Cmd.answer("q-1"), { _tag: "StopBroadcast", id: 4, listMessageId: null }]])
    expect(
      broadcastReducer(
        initialSession,
        ev(feedback({ _tag: "BroadcastStopped", id: 4, stopped: true, listMessageId: 77 })),
      ),
    ).toEqual([initialSession, [Cmd.reply(t.stopped(4)), { _tag: "LoadBroadcasts", messageId: 77 }]])
    expect(
      broadcastReducer(
        initialSession,
        ev(feedback({ _tag: "BroadcastStopped", id: 4, stopped: false, listMessageId: null })),
      ),
    ).toEqual([initialSession, [Cmd.reply(t.notStopped(4))]])
  })
})
