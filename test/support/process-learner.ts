import type { Update } from "grammy/types"
import { type FakeBotApi, inlineButtons, type SentMessage } from "./fake-bot-api"
import { USER_PASSWORD, WEBHOOK_SECRET } from "./harness"
import { addUserText } from "./leak-scan"
import { callbackUpdate, textUpdate } from "./updates"
import { waitFor } from "./wait"

/**
 * Delivers updates to a bot running as a real process, the way Telegram does: POST to the webhook of whichever
 * instance is current, again until one answers 200 (a stopping or restarting bot answers 503 or nothing).
 */
export const webhookDelivery = (tg: FakeBotApi, port: () => number) => async (update: Update) => {
  tg.acceptIncoming(update)
  for (let attempt = 0; attempt < 300; attempt++) {
    const status = await fetch(`http://127.0.0.1:${port()}/webhook`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": WEBHOOK_SECRET },
      body: JSON.stringify(update),
    }).then(
      (r) => r.status,
      () => 0,
    )
    if (status === 200) return
    await Bun.sleep(100)
  }
  throw new Error(`update ${update.update_id} was never accepted`)
}

export interface ProcessLearner {
  readonly id: number
  /** Sends a text (or /command); resolves once a bot instance stored it. */
  readonly send: (text: string) => Promise<void>
  readonly deliver: (update: Update) => Promise<void>
  /** Everything the bot has shown in this chat, oldest first (deleted ones excluded). */
  readonly screen: () => SentMessage[]
  /** Waits until the chat shows at least `count` messages whose text passes `match`; returns them. */
  readonly waitForTexts: (what: string, match: (text: string) => boolean, count?: number) => Promise<string[]>
  /** Presses the inline button with this text on the newest message that has it. */
  readonly press: (button: string) => Promise<void>
  /** /start, then the password; resolves once the welcome is on screen. */
  readonly signIn: (welcome: (text: string) => boolean) => Promise<void>
}

/** A learner talking to a bot process through its webhook; `port` is read at each delivery (instances change). */
export const processLearner = (tg: FakeBotApi, port: () => number, id: number): ProcessLearner => {
  const deliver = webhookDelivery(tg, port)
  const screen = () => tg.chat(id).filter((m) => !m.deleted)
  const texts = () => screen().map((m) => m.text ?? m.caption ?? "")
  const send = (text: string) => {
    addUserText(text)
    return deliver(
      textUpdate(text, { chatId: id, userId: id, firstName: "Аня", messageId: tg.nextUserMessageId(id) }),
    )
  }
  const waitForTexts = async (what: string, match: (text: string) => boolean, count = 1) => {
    await waitFor(what, () => texts().filter(match).length >= count, 60_000).catch((e: Error) => {
      throw new Error(`${e.message}; the chat shows:\n${texts().join("\n---\n")}`)
    })
    return texts().filter(match)
  }
  const press = (button: string) => {
    const holder = screen().findLast((m) => inlineButtons(m).some((b) => b.text === button))
    const data = holder && inlineButtons(holder).find((b) => b.text === button)?.callback_data
    if (!holder || !data) throw new Error(`no button «${button}» on screen`)
    return deliver(
      callbackUpdate(data, { chatId: id, userId: id, firstName: "Аня", messageId: holder.message_id }),
    )
  }
  return {
    id,
    send,
    deliver,
    press,
    screen,
    waitForTexts,
    signIn: async (welcome) => {
      await send("/start")
      await send(USER_PASSWORD)
      await waitForTexts("the welcome after sign-in", welcome)
    },
  }
}
