import { type Api, HttpError } from "grammy"

type Transformer = Parameters<Api["config"]["use"]>[0]

// Methods our payloads never give a file (editMessageText could, in a rich message we never send): they go as
// JSON, so the per-call scan for files is not needed.
const JSON_ONLY = new Set([
  "sendMessage",
  "editMessageText",
  "answerCallbackQuery",
  "sendChatAction",
  "sendMessageDraft",
  "deleteMessage",
  "getFile",
])

/**
 * The innermost transformer (installed first): the hot path's calls go straight to fetch as JSON, without grammY's
 * scan of every payload for files, its timeout race and its null-dropping serializer (our payloads are typed
 * without nulls, so plain JSON is the same text). A failed request or an unreadable answer is grammY's HttpError,
 * as before, so auto-retry retries it.
 */
export const jsonCalls =
  (apiRoot: string, token: string): Transformer =>
  async (prev, method, payload, signal) => {
    if (!JSON_ONLY.has(method)) return prev(method, payload, signal)
    // Outside the try, as in grammY: a payload that cannot be JSON (an InputFile refuses to be) is the caller's
    // error, not a network one that auto-retry would retry.
    const body = JSON.stringify(payload)
    try {
      const response = await fetch(`${apiRoot}/bot${token}/${method}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
        signal: signal as globalThis.AbortSignal | undefined,
      })
      // Telegram's answer as grammY would return it; its type follows the method, which JSON cannot check.
      return (await response.json()) as never
    } catch (error) {
      throw new HttpError(`Network request for '${method}' failed!`, error)
    }
  }
