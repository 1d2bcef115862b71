import { Cause, Effect } from "effect"
import { chatsWithPending, releaseIdleLeases } from "../repositories/leases.repo"
import { DbError, type DbShape } from "../services/db"
import { describeError, type LogShape } from "../services/log"

/** How long a finished chat keeps its lease at most before it is given back with the others finished meanwhile. */
export const PARK_MS = 20
const FAILED_PASS_PAUSE_MS = 1000

/**
 * Leases of chats whose worker finished, given back together: one writing transaction for every chat finished
 * within PARK_MS, not one per update (bench/HISTORY.md). Until then the chat is still ours: our own next update
 * takes it again at once; a row a peer stored meanwhile is found when the lease is given back, and processed here.
 * A chat is never given back while a worker of ours runs on it: `take` before a worker starts, `park` when it ends,
 * in the same synchronous step that starts or ends it.
 */
export const parkedLeases = (options: {
  readonly db: DbShape
  readonly log: LogShape
  readonly owner: string
  /** Starts a worker for the chat (the lease is read again). */
  readonly restart: (chatId: number) => void
}) => {
  const { db, log, owner, restart } = options
  const parked = new Set<number>()
  // Chats whose lease is being given back: a worker wanted meanwhile starts once the statement answers.
  const releasing = new Map<number, { wanted: boolean }>()

  const giveBack = Effect.gen(function* () {
    const chats = [...parked]
    parked.clear()
    for (const chatId of chats) releasing.set(chatId, { wanted: false })
    yield* db.useLazyCommit("releaseIdle", (k) => releaseIdleLeases(k, chats, owner))
    // Looked at after the release committed: a row a peer stored meanwhile would otherwise wait for a sweep.
    // A chat kept has a row pending (still ours: processed here); one released has a row only if stored since.
    const waiting = new Set(yield* db.use("pendingAmong", (k) => chatsWithPending(k, chats)))
    for (const chatId of chats) {
      const wanted = releasing.get(chatId)?.wanted
      releasing.delete(chatId)
      if (wanted || waiting.has(chatId)) restart(chatId)
    }
    return true
  }).pipe(
    // Still ours: a wanted chat is worked on now, the others are given back on a later pass. Any failure, a bug
    // included: a chat left in `releasing` could never start again.
    Effect.catchCause((cause) =>
      Effect.gen(function* () {
        const error = Cause.squash(cause)
        const detail =
          error instanceof DbError ? { operation: error.operation, ...describeError(error.cause) } : {}
        yield* log.warn("giving leases back failed", { ...describeError(error), ...detail })
        // Cleared first: a restart must find the chat free to start, not mark it wanted once more.
        const back = [...releasing]
        releasing.clear()
        for (const [chatId, { wanted }] of back) wanted ? restart(chatId) : parked.add(chatId)
        return false
      }),
    ),
  )

  const flush = Effect.suspend(() => (parked.size ? giveBack : Effect.succeed(true)))

  return {
    /** A worker is about to start for the chat; false when it must wait for the lease's release to answer. */
    take: (chatId: number): boolean => {
      const releasingNow = releasing.get(chatId)
      if (releasingNow) {
        releasingNow.wanted = true
        return false
      }
      parked.delete(chatId)
      return true
    },
    park: (chatId: number) => {
      parked.add(chatId)
    },
    held: () => parked.size + releasing.size,
    /** Whether the chat's lease is still ours after its worker finished (parked, or being given back). */
    holds: (chatId: number) => parked.has(chatId) || releasing.has(chatId),
    /** Gives back the leases parked now (one pass); false when that failed. The loop runs it every PARK_MS. */
    flush,
    // After a failure (the database unreachable), the next pass waits longer: one warning a second, not fifty.
    loop: flush.pipe(
      Effect.flatMap((ok) => Effect.sleep(ok ? PARK_MS : FAILED_PASS_PAUSE_MS)),
      Effect.forever,
    ),
  }
}
