import { GrammyError } from "grammy"
import type { createApi } from "./services/telegram"

/** A start-up failure with a message meant for the operator (Russian and English), printed by main.ts. */
export class StartupError extends Error {}

type Signal = Parameters<ReturnType<typeof createApi>["getMe"]>[0]

/** Start-up calls to Telegram get a deadline: auto-retry would otherwise wait forever for an unreachable API. */
export const withDeadline = async <A>(
  what: string,
  ms: number,
  run: (signal: Signal) => Promise<A>,
): Promise<A> => {
  try {
    return await run(AbortSignal.timeout(ms) as Signal)
  } catch (e) {
    if (e instanceof GrammyError && (e.error_code === 401 || e.error_code === 404))
      throw new StartupError(
        "Telegram не принял BOT_TOKEN / Telegram rejected BOT_TOKEN: проверьте токен от @BotFather.",
      )
    if (e instanceof GrammyError) throw new StartupError(`Telegram: ${what} → ${e.description}`)
    throw new StartupError(
      `Не удалось связаться с Telegram (${what}) за ${ms / 1000} с — проверьте сеть и TELEGRAM_API_ROOT. / ` +
        `Could not reach Telegram (${what}) within ${ms / 1000} s — check the network and TELEGRAM_API_ROOT.`,
    )
  }
}
