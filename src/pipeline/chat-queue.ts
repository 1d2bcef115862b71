import { Cause, Context, Effect, Fiber, Layer, Option, Semaphore } from "effect"
import { type Head, type NewRow, type Stored, storeRow, storeRows } from "../repositories/enqueue.repo"
import { grouped } from "../repositories/grouped"
import { findNextPending, findOrphanedChats } from "../repositories/inbox.repo"
import { acquireLease, releaseAllLeases, releaseLease, renewLeases } from "../repositories/leases.repo"
import { Db, type DbError } from "../services/db"
import { describeError, Log } from "../services/log"
import { Metrics } from "../services/metrics"
import { Settings } from "../services/settings"
import { ChatCopies } from "./chat-copies"
import { runWorkOfSavedRow } from "./commit"
import { type Deps, RowQueued, WorkRunner, type WorkRunnerShape } from "./deps"
import { inFlight } from "./in-flight"
import { parkedLeases } from "./parked-leases"
import { processRow } from "./pipeline"
import { receiptReducer, storeWithStep } from "./receipts"
import { storeTickets } from "./store-tickets"
import { makeWorkRunner } from "./work-runner"

export const LEASE_TTL_MS = 30_000

export interface ChatQueueShape {
  /**
   * Stores a row for its chat (an update or a feedback event) durably, then makes sure it gets processed. Returns
   * the row id, or null for an update_id stored before. An idle chat's row starts processing without another read.
   */
  readonly enqueue: (row: NewRow) => Effect.Effect<number | null, DbError>
  /** Picks up chats with pending rows that nobody holds (start-up resume, crashed peers, failed rows). */
  readonly sweep: Effect.Effect<void>
  /** Stops starting new work, waits for in-flight chats (their current row), work and stores, frees the leases. */
  readonly drain: (timeoutMs: number) => Effect.Effect<boolean>
  readonly activeChats: () => number
  /** Runs and settles stored work (see work.ts), with the queue's services. */
  readonly workRunner: WorkRunnerShape
}

export class ChatQueue extends Context.Service<ChatQueue, ChatQueueShape>()("emco/ChatQueue") {
  static readonly layer = (options: { maxConcurrentChats: number }) =>
    Layer.effect(ChatQueue, makeChatQueue(options.maxConcurrentChats))
}

/** A chat being worked on here: `again` when a row of it was stored (or queued) while its worker ran. */
interface ChatRun {
  again: boolean
  fiber?: Fiber.Fiber<unknown>
}

// One closure, longer than usual: workers, stores and the drain share state and see each other's changes at once.
const makeChatQueue = (maxConcurrentChats: number) =>
  Effect.gen(function* () {
    const base = yield* Effect.context<Exclude<Deps, WorkRunner>>()
    // Workers need WorkRunner, and WorkRunner is this queue: the context is completed below, once it exists.
    let context = base as Context.Context<Deps>
    const db = yield* Db
    const log = yield* Log
    const metrics = yield* Metrics
    const { instanceId: owner } = yield* Settings
    const permits = yield* Semaphore.make(maxConcurrentChats)
    const running = new Map<number, ChatRun>()
    const storing = storeTickets()
    const landing = inFlight()
    let stopping = false
    const parking = parkedLeases({ db, log, owner, restart: (chatId) => start(chatId) })

    // One pass: hold the lease and process rows oldest first. Returns "park" when the chat is done with and its
    // lease can go back with others (parked-leases.ts). A row not done with has failed: stop there (ordering), give
    // the lease back and let the periodic sweep retry it, instead of spinning on it.
    const drainOnce = Effect.fnUntraced(function* (chatId: number, state: { again: boolean }, head?: Head) {
      // Lease writes commit lazily: one lost in a PostgreSQL crash at worst lets a peer take the chat early,
      // and the version-checked session save still refuses a second writer.
      const lease = head
        ? { leased: true, next: head.next }
        : yield* db.useLazyCommit("acquireLease", (k) => acquireLease(k, chatId, owner, LEASE_TTL_MS))
      if (!lease.leased) return "done"
      let row = lease.next
      const wake = () => {
        state.again = true
      }
      let preloaded = head && { loaded: head.loaded, userId: head.userId }
      let started = head?.started
      while (row && !stopping) {
        state.again = false
        const done = yield* processRow({ row, preloaded, started }).pipe(
          Effect.provideService(RowQueued, wake),
        )
        if (!done) break
        preloaded = undefined
        started = undefined
        // Only a row stored meanwhile (ours: `again`) is read here; a peer's is found when the lease goes back.
        row = state.again ? yield* db.use("nextPending", (k) => findNextPending(k, chatId)) : undefined
      }
      if (!row && !stopping) return "park"
      yield* release(chatId)
      return "done"
    })

    const drainAll = Effect.fnUntraced(function* (chatId: number, head?: Head) {
      const state = running.get(chatId)!
      let first = head
      while (true) {
        state.again = false
        const outcome = yield* drainOnce(chatId, state, first)
        first = undefined
        if (!state.again) return outcome
      }
    })
    const worker = (chatId: number, head?: Head) =>
      drainAll(chatId, head).pipe(
        permits.withPermits(1),
        // Parked: the lease goes back on the next pass, or the chat starts again then if a row is pending. Left as
        // it is, the heartbeat would keep the chat ours with nobody working on it.
        Effect.catchCause((cause) =>
          log
            .error("chat worker failed; retried when its lease goes back", {
              chatId,
              ...describeError(Cause.squash(cause)),
            })
            .pipe(Effect.as("park" as const)),
        ),
        Effect.onExit((exit) =>
          Effect.sync(() => {
            running.delete(chatId)
            if (exit._tag === "Success" && exit.value === "park") parking.park(chatId)
          }),
        ),
      )

    // Makes sure the chat's pending rows get processed, in order, by one worker here; never blocks. With a head,
    // the worker starts from what the store read with the lease. True when a worker starts from it.
    const start = (chatId: number, head?: Head): boolean => {
      if (stopping) return false
      const state = running.get(chatId)
      if (state) {
        state.again = true
        return false
      }
      // A lease being given back right now: the worker starts once that answers, and reads the lease again.
      if (!parking.take(chatId)) return false
      storing.invalidate(chatId)
      const fresh: ChatRun = { again: false }
      running.set(chatId, fresh)
      fresh.fiber = Effect.runForkWith(context)(worker(chatId, head))
      return head !== undefined
    }

    const release = (chatId: number) =>
      db.useLazyCommit("releaseLease", (k) => releaseLease(k, chatId, owner))
    // The lease a store took while this instance is stopping goes back at once, for the next instance's sweep.
    const giveBack = (chatId: number) => landing.track(Effect.runPromise(Effect.ignore(release(chatId))))

    // What follows a store is chained to the statement itself, not to the fiber waiting for it: a caller that gives
    // up (the webhook's deadline) must not leave a stored row under a lease that nobody works on. The chained step
    // is also one synchronous step, so no worker can start between reading the ticket and acting on it.
    const store = (statement: () => Promise<Stored | null>, chatId: number) =>
      db.use("storeRow", () => {
        const ticket = storing.issue(chatId, !running.has(chatId))
        const landed = statement().then(
          (stored) => {
            const fresh = storing.settle(chatId, ticket)
            if (stored === null) return null
            if (stopping && stored.head) giveBack(chatId)
            // Not fresh: a worker of ours took the chat meanwhile; the ordinary path (a new lease read) is safe. The
            // work the head's step started is then run here: that worker resumes the row after it. (Stopping, the
            // drain gives the work's row back for the next instance.)
            else if (!start(chatId, fresh ? stored.head : undefined) && stored.head?.started)
              Effect.runForkWith(context)(runWorkOfSavedRow(stored.head.next, stored.head.started))
            return stored.id
          },
          (error: unknown) => {
            storing.settle(chatId, ticket)
            throw error
          },
        )
        return landing.track(landed)
      })

    // Receipts that arrive together are stored together (grouped.ts): one commit for all of them.
    const storeTogether = grouped<NewRow, Stored | null>(db.kysely, `storeRow:${owner}`, {
      one: (row) => storeRow(db.kysely, row, owner, LEASE_TTL_MS),
      many: (rows) => storeRows(db.kysely, rows, owner, LEASE_TTL_MS),
    })
    const receipts = receiptReducer({
      metrics,
      free: (chatId) => !stopping && !running.has(chatId) && !parking.holds(chatId),
      context: () => context,
    })
    const enqueue = (row: NewRow) =>
      Effect.flatMap(receipts.reduce(row), (reduced) =>
        store(
          () =>
            storeWithStep(storeTogether, row, reduced).then((stored) =>
              receipts.settle(row, reduced, stored),
            ),
          row.chatId,
        ),
      )

    const work = yield* makeWorkRunner({
      db,
      log,
      owner,
      enqueue,
      storeNotice: (row) => store(() => storeRow(db.kysely, row, owner, LEASE_TTL_MS), row.chatId),
      fork: (job) => Effect.runForkWith(context)(job),
    })
    context = Context.add(Context.add(base, WorkRunner, work.runner), ChatCopies, receipts.copies)

    const sweep = db
      .use("orphans", (k) => findOrphanedChats(k, 500))
      .pipe(
        Effect.flatMap((chats) =>
          Effect.forEach(chats, (chatId) => Effect.sync(() => start(chatId)), { discard: true }),
        ),
        Effect.catch((e) => log.warn("sweep failed", { operation: e.operation, ...describeError(e.cause) })),
      )

    const heartbeat = yield* Effect.forkDetach(
      db
        .useLazyCommit("renewLeases", (k) => renewLeases(k, owner, LEASE_TTL_MS))
        .pipe(Effect.ignore, Effect.delay(LEASE_TTL_MS / 3), Effect.forever),
    )
    const givingBack = yield* Effect.forkDetach(parking.loop)

    // Within one deadline, awaited (a fiber that ended interrupted must not fail the drain): the chats, the stores in
    // flight (a late one takes its chat's lease, may write its step's work), the work (work-runner.ts), its stores.
    const drain = (timeoutMs: number) =>
      Effect.gen(function* () {
        stopping = true
        const until = Date.now() + timeoutMs
        const chats = [...running.values()].flatMap((s) => (s.fiber ? [s.fiber] : []))
        const chatsDone = Option.isSome(
          yield* Fiber.awaitAll(chats).pipe(Effect.timeoutOption(Math.max(0, timeoutMs))),
        )
        if (!chatsDone) yield* Fiber.interruptAll(chats)
        const storesDone = yield* landing.settled(until - Date.now())
        const workDone = yield* work.drain(until - Date.now())
        const resultsDone = yield* landing.settled(until - Date.now())
        yield* Fiber.interruptAll([heartbeat, givingBack])
        yield* db.use("releaseAll", (k) => releaseAllLeases(k, owner)).pipe(Effect.ignore)
        return chatsDone && storesDone && workDone && resultsDone
      })

    return ChatQueue.of({
      enqueue,
      sweep,
      drain,
      activeChats: () => running.size + parking.held() + work.running(),
      workRunner: work.runner,
    })
  })
