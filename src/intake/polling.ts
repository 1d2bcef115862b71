import type { Api } from "grammy"
import type { Update } from "grammy/types"
import { ALLOWED_UPDATES } from "./receive"

export interface PollingDeps {
  readonly api: Api
  /** Stores an update durably; rejects when it could not (the update is then fetched again). */
  readonly store: (update: Update) => Promise<unknown>
  readonly onError: (stage: "fetch" | "store", error: unknown) => void
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms)
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer)
        resolve()
      },
      { once: true },
    )
  })

/**
 * Long polling. The offset only moves past an update once it is stored, so a crash or a database hiccup
 * re-fetches it (and the inbox drops the duplicate) instead of losing it.
 */
export const runPolling = async (deps: PollingDeps, signal: AbortSignal, timeoutSec = 25): Promise<void> => {
  let offset = 0
  let backoffMs = 500
  while (!signal.aborted) {
    let updates: Update[]
    try {
      updates = await deps.api.getUpdates(
        { offset, timeout: timeoutSec, allowed_updates: [...ALLOWED_UPDATES] },
        signal as Parameters<Api["getUpdates"]>[1],
      )
    } catch (error) {
      if (signal.aborted) break
      deps.onError("fetch", error)
      await sleep(backoffMs, signal)
      backoffMs = Math.min(backoffMs * 2, 30_000)
      continue
    }
    backoffMs = 500
    for (const update of updates) {
      try {
        await deps.store(update)
        offset = update.update_id + 1
      } catch (error) {
        deps.onError("store", error)
        await sleep(1000, signal)
        break
      }
    }
  }
}
