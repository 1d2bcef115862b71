import { autoRetry } from "@grammyjs/auto-retry"
import { Context, Data, Effect, Layer } from "effect"
import { Api, GrammyError, type InputFile, InputMediaBuilder } from "grammy"
import type { BotCommand, InlineKeyboardMarkup } from "grammy/types"
import { visibleText } from "../core/html"
import { readAtMost as readBodyAtMost } from "../lib/read-at-most"
import { pacerFor } from "../lib/send-pacer"
import { splitHtml } from "../lib/split-html"
import { Metrics, type MetricsShape } from "./metrics"
import type { ReplyMarkup } from "./reply-markup"
import { jsonCalls } from "./telegram-json"

export class TelegramError extends Data.TaggedError("TelegramError")<{
  readonly method: string
  readonly code: number | null
  readonly description: string
}> {}

const toError = (method: string) => (e: unknown) =>
  e instanceof GrammyError
    ? new TelegramError({ method, code: e.error_code, description: e.description })
    : new TelegramError({ method, code: null, description: e instanceof Error ? e.message : String(e) })

/** A user's file over the size we accept: reported so by getFile, or found so while downloading. */
export class FileTooBig extends Data.TaggedError("FileTooBig")<{ readonly limitBytes: number }> {}

type Signal = Parameters<Api["sendMessage"]>[3]

/** The body of `url`, never more than `maxBytes` of it held (see readAtMost). */
const readAtMost = async (url: string, maxBytes: number, signal: AbortSignal): Promise<Uint8Array> => {
  const response = await fetch(url, { signal })
  if (!response.ok) throw new Error(`download ${response.status}`)
  const declared = Number(response.headers.get("content-length") ?? "0")
  const bytes = await readBodyAtMost(response.body, declared, maxBytes)
  if (bytes === null) throw new FileTooBig({ limitBytes: maxBytes })
  return bytes
}

// Interrupting the fiber (drain timeout) aborts the HTTP request and auto-retry's waiting between attempts.
const call = <A>(method: string, run: (signal: Signal) => Promise<A>) =>
  Effect.tryPromise({ try: (signal) => run(signal as Signal), catch: toError(method) })

export const isNotModified = (e: TelegramError) =>
  e.code === 400 && e.description.includes("message is not modified")
const cannotEdit = (e: TelegramError) =>
  e.code === 400 &&
  /message to edit not found|there is no text in the message|message can't be edited/.test(e.description)
const badHtml = (e: TelegramError) => e.code === 400 && e.description.includes("can't parse entities")
export const makeTelegram = (api: Api, fileUrl: (filePath: string) => string) => {
  const sendOne = (chatId: number, html: string, markup?: ReplyMarkup) =>
    call("sendMessage", (signal) =>
      api.sendMessage(
        chatId,
        html,
        { parse_mode: "HTML", ...(markup ? { reply_markup: markup } : {}) },
        signal,
      ),
    ).pipe(
      // Our texts are escaped; if Telegram still rejects the markup, the user gets the words rather than nothing.
      Effect.catchIf(badHtml, () =>
        call("sendMessage", () =>
          api.sendMessage(chatId, visibleText(html), markup ? { reply_markup: markup } : {}),
        ),
      ),
      Effect.map((m) => m.message_id),
    )
  return {
    api,
    /** Sends HTML, split into several messages when longer than Telegram allows; the keyboard goes on the last. */
    send: Effect.fnUntraced(function* (chatId: number, html: string, markup?: ReplyMarkup) {
      const parts = splitHtml(html)
      let last = 0
      for (const [i, part] of parts.entries()) {
        last = yield* sendOne(chatId, part, i === parts.length - 1 ? markup : undefined)
      }
      return last
    }),
    /** Edits in place; a message that cannot be edited (gone, a photo, too old) is sent anew instead. */
    editOrSend: (chatId: number, messageId: number, html: string, markup?: InlineKeyboardMarkup) =>
      call("editMessageText", () =>
        api.editMessageText(chatId, messageId, html, {
          parse_mode: "HTML",
          ...(markup ? { reply_markup: markup } : {}),
        }),
      ).pipe(
        Effect.asVoid,
        Effect.catchIf(isNotModified, () => Effect.void),
        Effect.catchIf(
          (e) => cannotEdit(e) || badHtml(e) || html.length > 4096,
          () => sendOne(chatId, html, markup).pipe(Effect.asVoid),
        ),
      ),
    answerCallback: (queryId: string, text?: string, alert?: boolean) =>
      call("answerCallbackQuery", (signal) =>
        api.answerCallbackQuery(
          queryId,
          { ...(text ? { text } : {}), ...(alert ? { show_alert: true } : {}) },
          signal,
        ),
      ).pipe(Effect.asVoid),
    deleteMessage: (chatId: number, messageId: number) =>
      call("deleteMessage", (signal) => api.deleteMessage(chatId, messageId, signal)).pipe(Effect.asVoid),
    /** Sends a document (bytes or a known file_id) and returns its file_id for re-sending later. */
    sendDocument: (chatId: number, document: InputFile | string, captionHtml: string, markup?: ReplyMarkup) =>
      call("sendDocument", (signal) =>
        api.sendDocument(
          chatId,
          document,
          { caption: captionHtml, parse_mode: "HTML", ...(markup ? { reply_markup: markup } : {}) },
          signal,
        ),
      ).pipe(Effect.map((m) => m.document?.file_id ?? null)),
    /**
     * Downloads a user's file (voice) through getFile; Telegram keeps such links for at least an hour. Never holds
     * more than `maxBytes`: a larger size reported by getFile is refused before downloading, and a download that
     * runs past it (whatever the message declared) is aborted.
     */
    downloadFile: (fileId: string, maxBytes: number) =>
      call("getFile", (signal) => api.getFile(fileId, signal)).pipe(
        Effect.flatMap((file) =>
          (file.file_size ?? 0) > maxBytes
            ? Effect.fail(new FileTooBig({ limitBytes: maxBytes }))
            : Effect.tryPromise({
                try: (signal) => readAtMost(fileUrl(file.file_path ?? ""), maxBytes, signal),
                catch: (e) => (e instanceof FileTooBig ? e : toError("downloadFile")(e)),
              }),
        ),
      ),
    /** An empty draft shows Telegram's «Thinking…» placeholder (Bot API 9.5+, private chats). */
    thinking: (chatId: number, draftId: number) =>
      call("sendMessageDraft", (signal) => api.sendMessageDraft(chatId, draftId, "", {}, signal)).pipe(
        Effect.asVoid,
      ),
    sendPhoto: (chatId: number, photo: InputFile, captionHtml: string) =>
      call("sendPhoto", (signal) =>
        api.sendPhoto(chatId, photo, { caption: captionHtml, parse_mode: "HTML" }, signal),
      ).pipe(Effect.asVoid),
    /** Several documents as one album (2–10): one call, so they arrive together or not at all. */
    sendDocuments: (chatId: number, documents: ReadonlyArray<{ file: InputFile; captionHtml: string }>) =>
      call("sendMediaGroup", (signal) =>
        api.sendMediaGroup(
          chatId,
          documents.map((d) =>
            InputMediaBuilder.document(d.file, { caption: d.captionHtml, parse_mode: "HTML" }),
          ),
          {},
          signal,
        ),
      ).pipe(Effect.asVoid),
    sendVoice: (chatId: number, voice: InputFile) =>
      call("sendVoice", (signal) => api.sendVoice(chatId, voice, {}, signal)).pipe(Effect.asVoid),
    chatAction: (chatId: number, action: "typing" | "record_voice" | "upload_document") =>
      call("sendChatAction", (signal) => api.sendChatAction(chatId, action, {}, signal)).pipe(Effect.asVoid),
    setMyCommands: (commands: ReadonlyArray<BotCommand>) =>
      call("setMyCommands", (signal) => api.setMyCommands([...commands], {}, signal)).pipe(Effect.asVoid),
    /** The command menu of one chat (admins see their extra commands); null restores the default menu. */
    setChatCommands: (chatId: number, commands: ReadonlyArray<BotCommand> | null) =>
      commands
        ? call("setMyCommands", (signal) =>
            api.setMyCommands([...commands], { scope: { type: "chat", chat_id: chatId } }, signal),
          ).pipe(Effect.asVoid)
        : call("deleteMyCommands", (signal) =>
            api.deleteMyCommands({ scope: { type: "chat", chat_id: chatId } }, signal),
          ).pipe(Effect.asVoid),
  }
}

export type TelegramShape = ReturnType<typeof makeTelegram>

/** Counts every Bot API call by method and outcome (after retries, as the caller sees it). */
const instrument = (api: Api, metrics: MetricsShape) => {
  api.config.use(async (prev, method, payload, signal) => {
    try {
      const res = await prev(method, payload, signal)
      metrics.telegramCalls.inc({ method, outcome: res.ok ? "ok" : String(res.error_code) })
      return res
    } catch (e) {
      metrics.telegramCalls.inc({ method, outcome: "network" })
      throw e
    }
  })
}

/**
 * The Bot API client. With `retry` (the default) 429s (honouring retry_after), 5xx and network errors are retried;
 * other 4xx are answers, not accidents, and every message it posts is counted in the bot's pacer, so a broadcast
 * running meanwhile leaves room for it. Broadcasts use one without retry: their pacer must see every 429, and it
 * counts their sends itself.
 */
export const createApi = (token: string, apiRoot: string, metrics: MetricsShape, retry = true): Api => {
  // Bun's own fetch, not the node-fetch shim grammY picks on Node (agents and TLS options on every call).
  const api = new Api(token, { apiRoot, fetch: globalThis.fetch })
  api.config.use(jsonCalls(apiRoot, token))
  instrument(api, metrics)
  if (retry) {
    const pacer = pacerFor(token)
    // Inside auto-retry: each attempt is a message Telegram counts (an album waits, see Pacer.beforeCall).
    api.config.use((prev, method, payload, signal) => {
      const held = pacer.beforeCall(method, payload, signal as AbortSignal | undefined)
      return held ? held.then(() => prev(method, payload, signal)) : prev(method, payload, signal)
    })
    api.config.use(autoRetry({ maxRetryAttempts: 4, maxDelaySeconds: 60 }))
  }
  return api
}

export class Telegram extends Context.Service<Telegram, TelegramShape>()("emco/Telegram") {
  static readonly layer = (token: string, apiRoot: string) =>
    Layer.effect(
      Telegram,
      Effect.gen(function* () {
        const metrics = yield* Metrics
        return makeTelegram(
          createApi(token, apiRoot, metrics),
          (path) => `${apiRoot}/file/bot${token}/${path}`,
        )
      }),
    )
}
