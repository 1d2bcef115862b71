import type { Kysely } from "kysely"
import type { Database } from "../../db/schema"
import { answerWithin } from "../lib/within"
import { pingDatabase } from "../repositories/health.repo"
import { StartupError } from "../startup"
import { describeError } from "./log"
import { sqlStateOf } from "./sql-state"

/** host:port of a PostgreSQL URL: what logs and messages name, never the user, password or database. */
export const postgresAddress = (url: string): string => {
  const parsed = new URL(url)
  return `${parsed.hostname}:${parsed.port || "5432"}`
}

/** Why an attempt failed, in words that carry no secret: the client's code (or SQLSTATE) and a scrubbed message. */
const reasonOf = (error: unknown, password: string): string => {
  const { code, errno } = (error ?? {}) as { code?: unknown; errno?: unknown }
  const id = [errno, code].find((c) => typeof c === "string") ?? describeError(error).error
  const message = describeError(error).errorMessage
  return `${id}: ${password === "" ? message : message.replaceAll(password, "***")}`
}

// A wrong user or password (class 28) or database name (3D000) will not fix itself by waiting.
const isRefusal = (error: unknown) => /^(28|3D000)/.test(sqlStateOf(error) ?? "")

/**
 * At start PostgreSQL may not be up yet (deployed next to the bot, restarting): tried again with a growing pause
 * for up to `timeoutSec`, then a StartupError that names host and port (never the URL or the password). A refused
 * login or a missing database fails at once.
 */
export const waitForPostgres = async (
  db: Kysely<Database>,
  url: string,
  timeoutSec: number,
  onRetry: (fields: { address: string; attempt: number; reason: string; retryInMs: number }) => void,
): Promise<void> => {
  const address = postgresAddress(url)
  const password = decodeURIComponent(new URL(url).password)
  const deadline = Date.now() + timeoutSec * 1000
  let pauseMs = 250
  for (let attempt = 1; ; attempt++) {
    const error = await answerWithin(pingDatabase(db), Math.max(deadline - Date.now(), 1)).then(
      () => null,
      (e: unknown) => e ?? new Error("failed"),
    )
    if (error === null) return
    const reason = reasonOf(error, password)
    if (isRefusal(error))
      throw new StartupError(
        `PostgreSQL на ${address} отказал в подключении (${reason}). Проверь пользователя, пароль и имя базы ` +
          `в DATABASE_URL. / PostgreSQL at ${address} refused the connection (${reason}): check the user, ` +
          "password and database name in DATABASE_URL.",
      )
    const left = deadline - Date.now()
    if (left <= 0)
      throw new StartupError(
        `PostgreSQL на ${address} недоступен уже ${timeoutSec} с (${reason}). Проверь DATABASE_URL, сеть и что ` +
          `сервер запущен; ждать дольше — DATABASE_CONNECT_TIMEOUT_SEC. / PostgreSQL at ${address} unreachable ` +
          `for ${timeoutSec} s (${reason}). Check DATABASE_URL, the network and that the server is up; wait ` +
          "longer with DATABASE_CONNECT_TIMEOUT_SEC.",
      )
    // The last pause ends at the deadline, for one more try: the message's «N s» is what was waited.
    onRetry({ address, attempt, reason, retryInMs: Math.min(pauseMs, left) })
    await Bun.sleep(Math.min(pauseMs, left))
    pauseMs = Math.min(pauseMs * 2, 5000)
  }
}
