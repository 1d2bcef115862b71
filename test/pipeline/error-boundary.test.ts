import { describe, expect, test } from "bun:test"
import { Effect } from "effect"
import type { InboxRow } from "../../db/schema"
import { type Handler, type RowCtx, VersionConflict } from "../../src/pipeline/stage"
import { errorBoundary } from "../../src/pipeline/stages/error-boundary"
import { Db, type DbShape } from "../../src/services/db"
import { ErrorReporter } from "../../src/services/error-reporter"
import { Log, makeLog } from "../../src/services/log"
import { Metrics, makeMetrics } from "../../src/services/metrics"

const row: InboxRow = {
  id: 1,
  update_id: 10,
  chat_id: 5,
  kind: "update",
  payload: {},
  received_at: new Date(0),
  reduced_at: null,
  commands: null,
  commands_done: 0,
  processed_at: null,
  attempts: 0,
  last_error: null,
}

const limits = { auth: { failures: 0, lockedUntil: null }, rate: null, revoked: false }
const preloaded = { loaded: { session: { state: {}, version: 3 }, sender: undefined, limits }, userId: 5 }

/** Runs the boundary around `next`; a handler that succeeds needs none of the services a failure would use. */
const run = (next: Handler<RowCtx>, ctx: RowCtx) =>
  Effect.runPromise(errorBoundary(next)(ctx) as unknown as Effect.Effect<boolean>)

describe("errorBoundary", () => {
  test("a version conflict is retried from fresh state: the retry gets the row alone, nothing preloaded", async () => {
    const seen: RowCtx[] = []
    const conflictOnce: Handler<RowCtx> = (ctx) =>
      Effect.suspend(() => {
        seen.push(ctx)
        return seen.length === 1 ? Effect.fail(new VersionConflict({ chatId: 5 })) : Effect.void
      })
    expect(await run(conflictOnce, { row, preloaded })).toBe(true)
    expect(seen).toEqual([{ row, preloaded }, { row }])
  })

  test("three conflicts in a row → a fourth attempt, then done", async () => {
    let attempts = 0
    const conflictThrice: Handler<RowCtx> = () =>
      Effect.suspend(() => (++attempts <= 3 ? Effect.fail(new VersionConflict({ chatId: 5 })) : Effect.void))
    expect(await run(conflictThrice, { row })).toBe(true)
    expect(attempts).toBe(4)
  })

  test("interrupted (the instance is stopping) → not done with: the row stays pending for whoever comes next", async () => {
    expect(await run(() => Effect.interrupt, { row })).toBe(false)
  })
})

describe("errorBoundary, a stage that throws while its effect is built", () => {
  test("is caught like any failure: the row's attempt is recorded (not the chat worker's failure)", async () => {
    const recorded: string[] = []
    const db = {
      use: (operation: string) =>
        Effect.sync(() => {
          recorded.push(operation)
          return { attempts: 1 }
        }),
    } as unknown as DbShape
    const throwsAtOnce: Handler<RowCtx> = () => {
      throw new TypeError("payload is not an object")
    }
    const handled = errorBoundary(throwsAtOnce)({ row }).pipe(
      Effect.provideService(Db, db),
      Effect.provideService(
        Log,
        makeLog("silent", () => {}),
      ),
      Effect.provideService(Metrics, makeMetrics()),
      Effect.provideService(ErrorReporter, { report: () => Effect.void }),
    ) as unknown as Effect.Effect<boolean>
    expect(await Effect.runPromise(handled)).toBe(false)
    expect(recorded).toEqual(["markFailed"])
  })
})
