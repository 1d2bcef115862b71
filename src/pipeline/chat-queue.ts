import { Cause, Context, Effect, Fiber, Layer, Semaphore } from "effect"
import { findNextPending, findOrphanedChats, insertEvent } from "../repositories/inbox.repo"
import {
  acquireLease,
  releaseAllLeases,
  releaseLease,
  releaseLeaseIfIdle,
  renewLeases,
} from "../repositories/leases.repo"
import { Db } from "../services/db"
import { describeError, Log } from "../services/log"
import { Settings } from "../services/settings"
import { Background, type BackgroundShape } from "./background"
import { processRow } from "./pipeline"
import type { Deps, EventPayload } from "./stage"

export const LEASE_TTL_MS = 30_000

export interface ChatQueueShape {
  /** Makes sure the chat's pending rows get processed, in order, by exactly one instance. Never blocks. */
  readonly kick: (chatId: number) => Effect.Effect<void>
  /** Picks up chats with pending rows that nobody holds (start-up resume, crashed peers, failed rows). */
  readonly sweep: Effect.Effect<void>
  /** Stops starting new work and waits for in-flight chats to finish their current row, then frees the leases. */
  readonly drain: (timeoutMs: number) => Effect.Effect<boolean>
  readonly activeChats: () => number
  readonly runInBackground: BackgroundShape["run"]
}

export class ChatQueue extends Context.Service<ChatQueue, ChatQueueShape>()("emco/ChatQueue") {
  static readonly layer = (options: { maxConcurrentChats: number }) =>
    Layer.effect(ChatQueue, makeChatQueue(options.maxConcurrentChats))
}

const makeChatQueue = (maxConcurrentChats: number) =>
  Effect.gen(function* () {
    const base = yield* Effect.context<Exclude<Deps, Background>>()
    // Workers need Background, and Background is this queue: the context is completed below, once it exists.
    let context = base as Context.Context<Deps>
    const db = yield* Db
    const log = yield* Log
    const { instanceId: owner } = yield* Settings
    const permits = yield* Semaphore.make(maxConcurrentChats)
    const running = new Map<number, { again: boolean; fiber?: Fiber.Fiber<void> }>()
    const background = new Set<Fiber.Fiber<void>>()
    let stopping = false

    // One pass: hold the lease and process rows oldest first. A row still pending after processing has failed:
    // stop there (ordering) and let the periodic sweep retry it, instead of spinning on it.
    const drainOnce = (chatId: number) =>
      Effect.gen(function* () {
        // Lease writes commit lazily: one lost in a PostgreSQL crash at worst lets a peer take the chat early,
        // and the version-checked session save still refuses a second writer.
        const lease = yield* db.useLazyCommit("acquireLease", (k) =>
          acquireLease(k, chatId, owner, LEASE_TTL_MS),
        )
        if (!lease.leased) return false
        let row = lease.next
        // Look again after releasing: a row a peer stored meanwhile would otherwise wait for a sweep.
        const lookAgain = db.use("nextPending", (k) => findNextPending(k, chatId)).pipe(Effect.map(Boolean))
        while (row && !stopping) {
          yield* processRow({ row })
          if (yield* db.useLazyCommit("releaseIfIdle", (k) => releaseLeaseIfIdle(k, chatId, owner)))
            return yield* lookAgain
          const last: number = row.id
          row = yield* db.use("nextPending", (k) => findNextPending(k, chatId))
          if (row?.id === last) break
        }
        yield* db.useLazyCommit("releaseLease", (k) => releaseLease(k, chatId, owner))
        // A row left over here is the failed one (or we are stopping): no second look.
        return row || stopping ? false : yield* lookAgain
      })

    const worker = (chatId: number) =>
      Effect.gen(function* () {
        while (true) {
          const state = running.get(chatId)!
          state.again = false
          const more = yield* drainOnce(chatId)
          if (!more && !state.again) break
        }
      }).pipe(
        permits.withPermits(1),
        Effect.catchCause((cause) =>
          log.error("chat worker failed; the sweep will retry", {
            chatId,
            ...describeError(Cause.squash(cause)),
          }),
        ),
        Effect.ensuring(Effect.sync(() => running.delete(chatId))),
      )

    const kick = (chatId: number) =>
      Effect.sync(() => {
        if (stopping) return
        const state = running.get(chatId)
        if (state) {
          state.again = true
          return
        }
        const fresh: { again: boolean; fiber?: Fiber.Fiber<void> } = { again: false }
        running.set(chatId, fresh)
        fresh.fiber = Effect.runForkWith(context)(worker(chatId))
      })

    const runInBackground: BackgroundShape["run"] = (chatId, origin, work) =>
      Effect.sync(() => {
        const deliver = work.pipe(
          Effect.flatMap((feedback) =>
            db.use("insertEvent", (k) => insertEvent(k, chatId, { feedback, origin } satisfies EventPayload)),
          ),
          Effect.flatMap(() => kick(chatId)),
          Effect.catchCause((cause) =>
            log.error("background work lost its result", { chatId, ...describeError(Cause.squash(cause)) }),
          ),
        )
        const fiber = Effect.runForkWith(context)(deliver)
        background.add(fiber)
        fiber.addObserver(() => background.delete(fiber))
      })

    context = Context.add(base, Background, Background.of({ run: runInBackground }))

    const sweep = db
      .use("orphans", (k) => findOrphanedChats(k, 500))
      .pipe(
        Effect.flatMap((chats) => Effect.forEach(chats, kick, { discard: true })),
        Effect.catch((e) => log.warn("sweep failed", { operation: e.operation, ...describeError(e.cause) })),
      )

    const heartbeat = yield* Effect.forkDetach(
      db
        .useLazyCommit("renewLeases", (k) => renewLeases(k, owner, LEASE_TTL_MS))
        .pipe(Effect.ignore, Effect.delay(LEASE_TTL_MS / 3), Effect.forever),
    )

    const drain = (timeoutMs: number) =>
      Effect.gen(function* () {
        stopping = true
        const fibers = [...running.values()]
          .flatMap((s) => (s.fiber ? [s.fiber] : []))
          .concat([...background])
        const finished = yield* Fiber.joinAll(fibers).pipe(
          Effect.timeoutOption(timeoutMs),
          Effect.map((o) => o._tag === "Some"),
        )
        if (!finished) yield* Fiber.interruptAll(fibers)
        yield* Fiber.interrupt(heartbeat)
        yield* db.use("releaseAll", (k) => releaseAllLeases(k, owner)).pipe(Effect.ignore)
        return finished
      })

    return ChatQueue.of({
      kick,
      sweep,
      drain,
      runInBackground,
      activeChats: () => running.size + background.size,
    })
  })
