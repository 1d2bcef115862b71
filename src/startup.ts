import { Effect } from "effect"
import { GrammyError } from "grammy"
import type { LockOptions } from "./services/data-dir-lock"
import type { LogShape } from "./services/log"
import { NO_TEMPLATE_WARNING, type Seeded } from "./services/pglite-template"
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

/**
 * How the bot opens an embedded data directory: the way it came to be is noted (and a start without the template
 * warned about), and its lock (data-dir-lock.ts) waits up to `waitSec` for a process still holding it (a deploy's
 * old one, draining); should another take it meanwhile, this one stops at once: each write after that would
 * overwrite the other's.
 */
export const embeddedOpening = (waitSec: number, log: LogShape, onSeeded: (how: Seeded) => void) => ({
  seeded: (how: Seeded) => {
    onSeeded(how)
    if (how === "initdb") Effect.runSync(log.warn(NO_TEMPLATE_WARNING))
  },
  lock: {
    waitMs: waitSec * 1000,
    onWait: ({ pid, host }) =>
      Effect.runSync(log.warn("data directory in use by another process, waiting", { pid, host })),
    onLost: () => {
      Effect.runSync(log.error("data directory taken by another process, stopping"))
      process.exit(1)
    },
  } satisfies LockOptions,
})
