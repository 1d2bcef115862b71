import { Result } from "effect"
import type { Update } from "grammy/types"
import { parseConfig } from "../../src/config/config"
import { type RunningApp, type StartOptions, startApp } from "../../src/start"
import { type Backend, type FreshDatabase, freshDatabase } from "./database"
import {
  type FakeBotApi,
  inlineButtons,
  type RecordedCall,
  type SentMessage,
  startFakeBotApi,
} from "./fake-bot-api"
import { type FakeOpenAi, startFakeOpenAi } from "./fake-openai"
import { addSecret, addUserText, recordOutput } from "./leak-scan"
import { callbackUpdate, textUpdate } from "./updates"

/** The texts of messages as the user sees them (HTML already rendered by the fake Bot API). */
export const textsOf = (messages: ReadonlyArray<{ text?: string }>) => messages.map((m) => m.text ?? "")

export const USER_PASSWORD = "user-pass-1"
export const ADMIN_PASSWORD = "admin-pass-2"
export const WEBHOOK_SECRET = "test-secret_12345"
const BOT_TOKEN = "123456:TEST-token-for-fake-api"
const OPENAI_KEY = "sk-test-key"
addSecret(USER_PASSWORD, "user password")
addSecret(ADMIN_PASSWORD, "admin password")
addSecret(WEBHOOK_SECRET, "webhook secret")
addSecret(BOT_TOKEN.split(":")[1]!, "bot token")
addSecret(OPENAI_KEY, "OpenAI key")

export interface BotOptions extends StartOptions {
  readonly backend: Backend
  readonly mode?: "webhook" | "polling"
  readonly env?: Readonly<Record<string, string>>
  /** Share a fake Bot API / database between instances (multi-process scenarios). */
  readonly tg?: FakeBotApi
  readonly ai?: FakeOpenAi
  readonly database?: FreshDatabase
}

export interface TestBot {
  readonly app: RunningApp
  readonly tg: FakeBotApi
  readonly ai: FakeOpenAi
  readonly database: FreshDatabase
  readonly mode: "webhook" | "polling"
  readonly webhookUrl: string
  readonly opsUrl: string
  /** Delivers a raw update the way Telegram would in this mode; resolves once stored (webhook) or fetched. */
  readonly deliver: (update: Update) => Promise<Response | undefined>
  readonly user: (id: number, firstName?: string) => TestUser
  readonly stop: () => Promise<void>
}

export interface TestUser {
  readonly id: number
  /** Sends a text (or /command) and returns the messages the bot sent to this chat in response. */
  readonly send: (text: string) => Promise<SentMessage[]>
  /** Presses an inline button (by its text or callback data) on the newest message that has it. */
  readonly press: (button: string) => Promise<{ answer: RecordedCall | undefined; messages: SentMessage[] }>
  /** Sends a callback with arbitrary data (forged or stale buttons). */
  readonly pressData: (
    data: string,
    messageId?: number,
  ) => Promise<{ answer: RecordedCall | undefined; messages: SentMessage[] }>
  readonly sendUpdate: (update: Update) => Promise<SentMessage[]>
  /** Everything the bot has shown in this chat, oldest first (deleted ones excluded). */
  readonly screen: () => SentMessage[]
  readonly lastMessageId: () => number | undefined
  /** Message id of the last text this user sent. */
  readonly lastOwnMessageId: () => number | undefined
}

/** Signs a learner in the way a person does: /start, then the password as a reply. */
export const signIn = async (user: TestUser, password = USER_PASSWORD) => {
  await user.send("/start")
  await user.send(password)
}

export const testEnv = (tg: FakeBotApi, db: FreshDatabase, mode: "webhook" | "polling", ai?: FakeOpenAi) => ({
  // Some AI key is always set: without any provider the bot refuses to start. Unreachable unless a fake is given.
  OPENAI_API_KEY: OPENAI_KEY,
  OPENAI_BASE_URL: ai ? `${ai.url}/v1` : "http://127.0.0.1:9/v1",
  AI_REQUEST_RETRY_BACKOFF_SEC: "0",
  BOT_TOKEN,
  TELEGRAM_API_ROOT: tg.url,
  METRICS_PORT: "0",
  WEBHOOK_ENABLED: mode === "webhook" ? "true" : "false",
  WEBHOOK_HOST: "https://bot.example.test",
  WEBHOOK_PORT: "0",
  WEBHOOK_SECRET,
  AUTH_PASSWORD_USER: USER_PASSWORD,
  AUTH_PASSWORD_ADMIN: ADMIN_PASSWORD,
  // Everything is logged (into the leak scan, not the console): R7 checks no secret or dialogue text gets there.
  LOG_LEVEL: process.env.EMCO_TEST_LOG_LEVEL ?? "debug",
  SHUTDOWN_TIMEOUT_SEC: "5",
  ...db.env,
})

/** Boots the real app (real server, real pipeline, real database) against the fake Bot API. */
export const startBot = async (options: BotOptions): Promise<TestBot> => {
  const mode = options.mode ?? "webhook"
  const tg = options.tg ?? (await startFakeBotApi())
  const ai = options.ai ?? startFakeOpenAi()
  const database = options.database ?? (await freshDatabase(options.backend))
  const config = parseConfig({ ...testEnv(tg, database, mode, ai), ...options.env })
  if (Result.isFailure(config)) throw new Error(config.failure.join("\n"))
  const app = await startApp(config.success, { sweepIntervalMs: 200, logSink: recordOutput, ...options })
  const webhookUrl = `http://127.0.0.1:${app.webhookPort}${config.success.env.WEBHOOK_PATH}`
  let stopped = false

  const deliver = async (update: Update) => {
    tg.acceptIncoming(update)
    if (mode === "polling") {
      tg.pushUpdate(update)
      const deadline = Date.now() + 5000
      const stored = () =>
        app.db
          .selectFrom("update_inbox")
          .select("id")
          .where("update_id", "=", update.update_id)
          .executeTakeFirst()
      while (!(await stored())) {
        if (Date.now() > deadline) throw new Error(`update ${update.update_id} was not fetched by polling`)
        await Bun.sleep(5)
      }
      return undefined
    }
    return fetch(webhookUrl, {
      method: "POST",
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": WEBHOOK_SECRET },
      body: JSON.stringify(update),
    })
  }

  const user = (id: number, firstName = "Аня"): TestUser => {
    let ownMessageId: number | undefined
    const visible = () => tg.chat(id).filter((m) => !m.deleted)
    const after = async (update: Update) => {
      const before = new Set(tg.chat(id).map((m) => `${m.message_id}:${m.edits}`))
      await deliver(update)
      await app.whenIdle()
      return visible().filter((m) => !before.has(`${m.message_id}:${m.edits}`))
    }
    const pressData = async (data: string, messageId?: number) => {
      const callsBefore = tg.callsOf("answerCallbackQuery").length
      const update = callbackUpdate(data, { chatId: id, userId: id, firstName, messageId })
      const messages = await after(update)
      return { answer: tg.callsOf("answerCallbackQuery")[callsBefore], messages }
    }
    return {
      id,
      send: (text) => {
        addUserText(text)
        ownMessageId = tg.nextUserMessageId(id)
        return after(textUpdate(text, { chatId: id, userId: id, firstName, messageId: ownMessageId }))
      },
      sendUpdate: after,
      press: (button) => {
        const holder = [...visible()]
          .reverse()
          .find((m) => inlineButtons(m).some((b) => b.text === button || b.callback_data === button))
        const target =
          holder && inlineButtons(holder).find((b) => b.text === button || b.callback_data === button)
        if (!holder || !target?.callback_data) throw new Error(`no button «${button}» on screen`)
        return pressData(target.callback_data, holder.message_id)
      },
      pressData,
      screen: visible,
      lastMessageId: () => visible().at(-1)?.message_id,
      lastOwnMessageId: () => ownMessageId,
    }
  }

  return {
    app,
    tg,
    ai,
    database,
    mode,
    webhookUrl,
    opsUrl: `http://127.0.0.1:${app.metricsPort}`,
    deliver,
    user,
    stop: async () => {
      if (stopped) return
      stopped = true
      await app.stop()
      if (!options.tg) await tg.stop()
      if (!options.ai) await ai.stop()
      if (!options.database) await database.drop()
    },
  }
}
