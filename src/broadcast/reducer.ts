import { AUDIENCES } from "../core/audience"
import { button, callbackData } from "../core/callback-data"
import { Cmd, inline } from "../core/commands"
import { DEFAULT_TIME_ZONE, formatInZone } from "../core/dates"
import { fingerprint } from "../core/fingerprint"
import { escapeHtml, visibleText } from "../core/html"
import type { Envelope } from "../core/model"
import { idle, type Session } from "../core/session"
import type { Step } from "../core/step"
import { texts } from "../nav/texts"
import { isActive, renderBroadcast } from "./render"
import { broadcastTexts as t } from "./texts"
import { parseSendTime } from "./when"

type Draft = Extract<Session["flow"], { _tag: "BroadcastDraft" }>
type TextInput = Extract<Envelope["input"], { _tag: "Text" }>

/** Telegram's limit is 4096 characters of visible text; a little room is left. */
export const MAX_BROADCAST_LENGTH = 4000

const cancelRow = [button(t.buttons.cancel, callbackData.broadcast("drop"))]
const withDraft = (s: Session, draft: Omit<Draft, "_tag">): Session => ({
  ...s,
  flow: { _tag: "BroadcastDraft", ...draft },
})

const audienceKeyboard = (counts: Readonly<Record<string, number>>) =>
  inline(
    ...AUDIENCES.map((a) => [
      button(`${t.audiences[a]} (${counts[a] ?? 0})`, callbackData.broadcastAudience(a)),
    ]),
    cancelRow,
  )

const askWhen = (ev: Envelope, zone: string) =>
  Cmd.reply(
    t.askWhen(zone, formatInZone(ev.now + 3600_000, zone).slice(11)),
    inline([button(t.buttons.now, callbackData.broadcast("now"))], cancelRow),
  )

/** What the preview shows: its «send» button carries this, so a button under an older preview sends nothing. */
const previewOf = (draft: Draft) => fingerprint([draft.html, draft.audience, draft.sendAt])

const confirm = (s: Session, draft: Draft, sendAt: number | null, zone: string): Step => {
  const audience = draft.audience ?? "all"
  const when = sendAt === null ? t.now : t.at(formatInZone(sendAt, zone), zone)
  const confirming = { ...draft, step: "confirm", sendAt } as const
  return [
    withDraft(s, confirming),
    [
      Cmd.reply(t.previewTitle),
      Cmd.reply(draft.html),
      Cmd.reply(
        t.summary(t.audienceNames[audience] ?? audience, draft.counts[audience] ?? 0, when),
        inline([button(t.buttons.send, callbackData.broadcastSend(previewOf(confirming)))], cancelRow),
      ),
    ],
  ]
}

const onText = (s: Session, draft: Draft, ev: Envelope, input: TextInput, zone: string): Step => {
  const { text } = input
  if (draft.step === "text") {
    // Sent as the admin wrote it: formatting kept, everything else escaped.
    const html = input.html ?? escapeHtml(text)
    if (visibleText(html).length > MAX_BROADCAST_LENGTH)
      return [s, [Cmd.reply(t.tooLong(MAX_BROADCAST_LENGTH))]]
    return [withDraft(s, { ...draft, step: "audience", html }), [{ _tag: "CountAudiences" }]]
  }
  if (draft.step !== "when") return [s, [Cmd.reply(t.useButtons)]]
  const parsed = parseSendTime(text, ev.now, zone)
  if (parsed._tag === "At") return confirm(s, draft, parsed.at, zone)
  const why = { Invalid: t.timeInvalid, Past: t.timePast, TooFar: t.timeTooFar }[parsed._tag]
  return [s, [Cmd.reply(why)]]
}

/** A broadcast draft does not outlive a lost admin role, another command or a menu button. */
export const leavesDraft = (s: Session, ev: Envelope): boolean =>
  s.flow._tag === "BroadcastDraft" &&
  (ev.actor.role !== "admin" ||
    (ev.input._tag === "Command" && ev.input.name !== "broadcast" && ev.input.name !== "broadcasts") ||
    (ev.input._tag === "Callback" && ev.input.data._tag === "Nav"))

/** The /broadcast wizard and /broadcasts. Pure; null for events that are not about broadcasts. Admins only. */
export const broadcastReducer = (s: Session, ev: Envelope): Step | null => {
  const { input } = ev
  const zone = ev.timeZone ?? DEFAULT_TIME_ZONE
  const isAdmin = ev.actor.role === "admin"
  const draft = s.flow._tag === "BroadcastDraft" ? s.flow : null
  if (input._tag === "Command" && (input.name === "broadcast" || input.name === "broadcasts")) {
    if (!isAdmin) return [s, [Cmd.reply(texts.adminOnly)]]
    if (input.name === "broadcasts") return [s, [{ _tag: "LoadBroadcasts", messageId: null }]]
    if (s.flow._tag === "Case") return [s, [Cmd.reply(t.busy)]]
    const fresh = { step: "text", html: "", audience: null, counts: {}, sendAt: null } as const
    return [withDraft(s, fresh), [Cmd.reply(t.askText, inline(cancelRow))]]
  }
  if (input._tag === "Callback") {
    const data = input.data
    if (
      data._tag !== "Broadcast" &&
      data._tag !== "BroadcastSend" &&
      data._tag !== "BroadcastAudience" &&
      data._tag !== "BroadcastStop"
    )
      return null
    if (!isAdmin) return [s, [Cmd.answer(input.queryId, texts.adminOnly, true)]]
    const answer = Cmd.answer(input.queryId)
    if (data._tag === "BroadcastStop")
      return [
        s,
        [
          answer,
          { _tag: "StopBroadcast", id: data.id, listMessageId: data.fromList ? input.messageId : null },
        ],
      ]
    if (data._tag === "Broadcast" && data.action === "list")
      return [s, [answer, { _tag: "LoadBroadcasts", messageId: input.messageId }]]
    if (data._tag === "Broadcast" && data.action === "drop")
      return draft
        ? [{ ...s, flow: idle }, [answer, Cmd.reply(t.cancelled)]]
        : [s, [Cmd.answer(input.queryId, t.stale, true)]]
    if (data._tag === "BroadcastAudience" && draft?.step === "audience") {
      if ((draft.counts[data.audience] ?? 0) === 0)
        return [s, [Cmd.answer(input.queryId, t.audienceEmpty, true)]]
      return [withDraft(s, { ...draft, step: "when", audience: data.audience }), [answer, askWhen(ev, zone)]]
    }
    if (data._tag === "Broadcast" && data.action === "now" && draft?.step === "when") {
      const [next, cmds] = confirm(s, draft, null, zone)
      return [next, [answer, ...cmds]]
    }
    if (data._tag === "BroadcastSend" && draft?.step === "confirm" && data.preview !== previewOf(draft))
      return [s, [Cmd.answer(input.queryId, t.staleSend, true)]]
    if (data._tag === "BroadcastSend" && draft?.step === "confirm" && draft.audience) {
      const create: Cmd = {
        _tag: "CreateBroadcast",
        html: draft.html,
        audience: draft.audience,
        sendAt: draft.sendAt,
        requestKey: `${ev.actor.chatId}:${input.queryId}`,
      }
      return [{ ...s, flow: idle }, [answer, create]]
    }
    return [s, [Cmd.answer(input.queryId, t.stale, true)]]
  }
  if (input._tag === "Feedback") return onFeedback(s, draft, input.event, zone)
  // Other commands and a lost admin role end the draft before routing (see the root reducer).
  if (!draft || !isAdmin || input._tag === "Command" || input._tag === "Rejected") return null
  if (input._tag === "Text") return onText(s, draft, ev, input, zone)
  const hint = { text: t.textOnly, when: t.whenAsText, audience: t.useButtons, confirm: t.useButtons }
  return [s, [Cmd.reply(hint[draft.step])]]
}

const onFeedback = (
  s: Session,
  draft: Draft | null,
  event: Extract<Envelope["input"], { _tag: "Feedback" }>["event"],
  zone: string,
): Step | null => {
  switch (event._tag) {
    case "AudiencesCounted":
      // The draft was left meanwhile (another command): its «Считаю получателей…» goes rather than hang there.
      if (draft?.step !== "audience")
        return [s, event.messageId === null ? [] : [Cmd.delete(event.messageId)]]
      return [
        withDraft(s, { ...draft, counts: event.counts }),
        [Cmd.show(event.messageId, t.askAudience, audienceKeyboard(event.counts))],
      ]
    case "BroadcastsLoaded": {
      if (event.broadcasts.length === 0) return [s, [Cmd.reply(t.listEmpty)]]
      const html = [t.listTitle, ...event.broadcasts.map((b) => renderBroadcast(b, zone))].join("\n\n")
      const stops = event.broadcasts
        .filter(isActive)
        .map((b) => [button(t.buttons.stop(b.id), callbackData.broadcastStop(b.id, true))])
      const keyboard = inline(...stops, [button(t.buttons.refresh, callbackData.broadcast("list"))])
      return [s, [Cmd.show(event.messageId, html, keyboard)]]
    }
    case "BroadcastStopped":
      return [
        s,
        [
          Cmd.reply(event.stopped ? t.stopped(event.id) : t.notStopped(event.id)),
          ...(event.listMessageId === null
            ? []
            : [{ _tag: "LoadBroadcasts", messageId: event.listMessageId } as const]),
        ],
      ]
    default:
      return null
  }
}
