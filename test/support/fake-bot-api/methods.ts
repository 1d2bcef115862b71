import { sendMediaGroup } from "./media-group"
import {
  answerCallbackQuery,
  deleteMessage,
  editMessageCaption,
  editMessageReplyMarkup,
  editMessageText,
  sendChatAction,
  sendMedia,
  sendMessage,
  sendMessageDraft,
} from "./messages"
import { boolParam, type Handler, intParam, jsonParam, numberParam } from "./params"
import { ApiError, badRequest, Described, type Params } from "./types"

const MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024

const getMe: Handler = ({ state }) => ({
  ...state.bot,
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
})

const getUpdates: Handler = async ({ params, state, signal }) => {
  if (state.webhook) {
    throw new ApiError(
      409,
      "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
    )
  }
  state.terminatePolls(
    new ApiError(
      409,
      "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
    ),
  )
  const offset = intParam(params.offset)
  if (offset !== undefined) state.confirmUpdates(offset)
  const limit = Math.min(100, Math.max(1, intParam(params.limit) ?? 100))
  const timeoutSeconds = Math.max(0, numberParam(params.timeout) ?? 0)
  if (state.pendingUpdateCount === 0 && timeoutSeconds > 0) {
    await state.waitForUpdate(timeoutSeconds * 1000, signal)
  }
  return state.pendingUpdates(limit)
}

function allowedUpdatesOf(params: Params): string[] | undefined {
  const value = jsonParam(params.allowed_updates)
  if (value === undefined) return undefined
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
    throw badRequest("can't parse allowed updates: an Array of Strings expected")
  }
  return value
}

const setWebhook: Handler = ({ params, state }) => {
  const url = params.url
  if (url === undefined || url === null)
    throw badRequest("bad webhook: An HTTPS URL must be provided for webhook")
  if (url === "") {
    // Telegram treats an empty URL as deleteWebhook.
    const existed = state.webhook !== null
    state.webhook = null
    return new Described(true, existed ? "Webhook was deleted" : "Webhook is already deleted")
  }
  if (typeof url !== "string" || !URL.canParse(url))
    throw badRequest("bad webhook: invalid webhook URL specified")
  if (new URL(url).protocol !== "https:")
    throw badRequest("bad webhook: An HTTPS URL must be provided for webhook")
  const secret = params.secret_token
  if (
    secret !== undefined &&
    secret !== "" &&
    (typeof secret !== "string" || !/^[A-Za-z0-9_-]{1,256}$/.test(secret))
  ) {
    throw badRequest("secret token contains unallowed characters")
  }
  const maxConnections = intParam(params.max_connections) ?? 40
  const allowedUpdates = allowedUpdatesOf(params)
  if (boolParam(params.drop_pending_updates)) state.dropPendingUpdates()
  const unchanged = state.webhook?.url === url
  state.webhook = { url, max_connections: maxConnections }
  if (typeof secret === "string" && secret !== "") state.webhook.secret_token = secret
  if (allowedUpdates) state.webhook.allowed_updates = allowedUpdates
  state.terminatePolls(new ApiError(409, "Conflict: terminated by setWebhook request"))
  return new Described(true, unchanged ? "Webhook is already set" : "Webhook was set")
}

const deleteWebhook: Handler = ({ params, state }) => {
  const existed = state.webhook !== null
  state.webhook = null
  if (boolParam(params.drop_pending_updates)) state.dropPendingUpdates()
  return new Described(true, existed ? "Webhook was deleted" : "Webhook is already deleted")
}

const getWebhookInfo: Handler = ({ state }) => {
  const webhook = state.webhook
  const info: Record<string, unknown> = {
    url: webhook?.url ?? "",
    has_custom_certificate: false,
    pending_update_count: state.pendingUpdateCount,
  }
  if (webhook) {
    info.max_connections = webhook.max_connections
    info.ip_address = "127.0.0.1"
    if (webhook.allowed_updates) info.allowed_updates = webhook.allowed_updates
  }
  return info
}

const commandsKey = (params: Params): string => {
  const scope = jsonParam(params.scope) ?? { type: "default" }
  const language = typeof params.language_code === "string" ? params.language_code : ""
  return `${JSON.stringify(scope)}|${language}`
}

const setMyCommands: Handler = ({ params, state }) => {
  const commands = jsonParam(params.commands)
  if (!Array.isArray(commands)) throw badRequest("can't parse commands JSON object")
  if (commands.length > 100) throw badRequest("too many commands specified")
  for (const entry of commands) {
    const record = typeof entry === "object" && entry !== null ? (entry as Record<string, unknown>) : {}
    const { command, description } = record
    if (typeof command !== "string" || !/^[a-z0-9_]{1,32}$/.test(command))
      throw badRequest("BOT_COMMAND_INVALID")
    if (typeof description !== "string" || description.trim().length < 1 || description.length > 256) {
      throw badRequest("BOT_COMMAND_DESCRIPTION_INVALID")
    }
  }
  state.commands.set(commandsKey(params), commands)
  return true
}

const getMyCommands: Handler = ({ params, state }) => state.commands.get(commandsKey(params)) ?? []

const deleteMyCommands: Handler = ({ params, state }) => {
  state.commands.delete(commandsKey(params))
  return true
}

const getFile: Handler = ({ params, state }) => {
  const file = typeof params.file_id === "string" ? state.files.get(params.file_id) : undefined
  if (!file) throw badRequest("invalid file_id")
  if (file.size > MAX_DOWNLOAD_BYTES) throw badRequest("file is too big")
  return {
    file_id: file.file_id,
    file_unique_id: file.file_unique_id,
    file_size: file.size,
    file_path: file.file_path,
  }
}

const HANDLERS: Record<string, Handler> = {
  getMe,
  getUpdates,
  setWebhook,
  deleteWebhook,
  getWebhookInfo,
  setMyCommands,
  getMyCommands,
  deleteMyCommands,
  sendMessage,
  editMessageText,
  editMessageCaption,
  editMessageReplyMarkup,
  deleteMessage,
  answerCallbackQuery,
  sendChatAction,
  sendDocument: sendMedia("document"),
  sendPhoto: sendMedia("photo"),
  sendVoice: sendMedia("voice"),
  sendMediaGroup,
  sendMessageDraft,
  getFile,
}

const BY_LOWER_NAME = new Map(
  Object.entries(HANDLERS).map(([name, handler]) => [name.toLowerCase(), { name, handler }]),
)

/** Telegram method names are case-insensitive; calls are recorded under the canonical spelling. */
export function lookupMethod(raw: string): { name: string; handler?: Handler } {
  return BY_LOWER_NAME.get(raw.toLowerCase()) ?? { name: raw }
}
