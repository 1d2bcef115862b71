import { Cause, Effect, Fiber, Schedule } from "effect"
import type { Feedback } from "../core/model"
import type { NewRow } from "../repositories/enqueue.repo"
import { releaseWork, renewWork } from "../repositories/work.repo"
import type { Db, DbError } from "../services/db"
import { describeError, type Log } from "../services/log"
import { type Deps, WORK_LEASE_TTL_MS, type WorkRef, WorkRunner } from "./deps"
import type { EventPayload } from "./stage"

/** The inbox row that carries a work's result (or a notice of it) to its chat. */
const eventRow = (ref: WorkRef, feedback: Feedback): NewRow => ({
  chatId: ref.chatId,
  updateId: null,
  kind: "event",
  payload: { feedback, origin: ref.origin } satisfies EventPayload,
  userId: ref.origin.userId,
})

/** The row of a work's result: stored by the statement that deletes the work's row, or not at all. */
const resultRow = (ref: WorkRef, feedback: Feedback): NewRow => {
  const row = eventRow(ref, feedback)
  return { ...row, payload: { ...(row.payload as EventPayload), work: ref.id }, settles: ref.id }
}

interface WorkRunnerParts {
  readonly db: Db["Service"]
  readonly log: Log["Service"]
  readonly owner: string
  /**
   * The chat queue's enqueue: a result is queued behind the chat's pending rows (its step reduced at receipt when
   * the chat is free), and its chat gets a worker.
   */
  readonly enqueue: (row: NewRow) => Effect.Effect<number | null, DbError>
  /**
   * A notice alone, as the chat queue stores a row: one statement, never grouped or tried again row by row. Nothing
   * else would keep a repeat of it out (a result is kept out by its work's id, an update by its update_id).
   */
  readonly storeNotice: (row: NewRow) => Effect.Effect<number | null, DbError>
  /** Forks with the app's services (the work runner among them, so it is given lazily). */
  readonly fork: (job: Effect.Effect<void, never, Deps>) => Fiber.Fiber<void>
}

/**
 * Runs stored work (see work.ts) off the chat's lease, keeps it ours while its fiber lives (a renewal heartbeat),
 * and settles each result exactly once: the statement that deletes the work row stores the result for the chat.
 */
export const makeWorkRunner = ({ db, log, owner, enqueue, storeNotice, fork }: WorkRunnerParts) =>
  Effect.gen(function* () {
    const working = new Map<number, Fiber.Fiber<void>>()

    const settle = (ref: WorkRef, feedback: Feedback) =>
      enqueue(resultRow(ref, feedback)).pipe(
        Effect.retry({ schedule: Schedule.exponential("200 millis"), times: 8 }),
        Effect.asVoid,
      )

    const track = (ref: WorkRef, job: Effect.Effect<void, unknown, Deps>) => {
      const fiber = fork(
        job.pipe(
          Effect.catchCause((cause) =>
            Cause.hasInterruptsOnly(cause)
              ? Effect.void
              : log.error("background work lost its result; it will be issued again", {
                  chatId: ref.chatId,
                  workId: ref.id,
                  ...describeError(Cause.squash(cause)),
                }),
          ),
        ),
      )
      working.set(ref.id, fiber)
      // A later issue of the same work (taken over past its deadline) may have replaced this one meanwhile.
      fiber.addObserver(() => working.get(ref.id) === fiber && working.delete(ref.id))
    }

    const runner = WorkRunner.of({
      run: (ref, work) =>
        Effect.sync(() =>
          track(
            ref,
            Effect.flatMap(work, (feedback) => settle(ref, feedback)),
          ),
        ),
      settle: (ref, feedback) => Effect.sync(() => track(ref, settle(ref, feedback))),
      notify: (ref, feedback) =>
        storeNotice(eventRow(ref, feedback)).pipe(
          Effect.asVoid,
          Effect.catch((e) =>
            log.warn("a notice of running work was lost", { chatId: ref.chatId, operation: e.operation }),
          ),
        ),
    })

    // Work running here stays ours while its fiber lives; a fiber that died without settling stops being renewed.
    const heartbeat = yield* Effect.forkDetach(
      Effect.suspend(() =>
        working.size === 0
          ? Effect.void
          : db.useLazyCommit("renewWork", (k) =>
              renewWork(k, owner, [...working.keys()], WORK_LEASE_TTL_MS / 1000),
            ),
      ).pipe(Effect.ignore, Effect.delay(WORK_LEASE_TTL_MS / 3), Effect.forever),
    )

    /**
     * Waits up to `ms` for the work running here; work cut short is given back at once, so the next instance issues
     * it again without waiting for its lease to run out. True when all of it finished.
     */
    const drain = (ms: number) =>
      Effect.gen(function* () {
        const fibers = [...working.values()]
        // Awaited, not joined: one that ended interrupted or failed must not fail the drain and skip the hand-back.
        const done = yield* Fiber.awaitAll(fibers).pipe(
          Effect.timeoutOption(Math.max(0, ms)),
          Effect.map((o) => o._tag === "Some"),
        )
        if (!done) yield* Fiber.interruptAll(fibers)
        yield* Fiber.interrupt(heartbeat)
        yield* db.use("releaseWork", (k) => releaseWork(k, owner)).pipe(Effect.ignore)
        return done
      })

    return { runner, drain, running: () => working.size }
  })
