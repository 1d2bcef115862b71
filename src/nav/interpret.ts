import { Effect } from "effect"
import type { Feedback } from "../core/model"
import type { Handlers } from "../pipeline/command-handler"
import { pingDatabase } from "../repositories/health.repo"
import { findAttempts } from "../roleplay/roleplay.repo"
import { Db } from "../services/db"
import { summarizeAttempts } from "./results"

export const navHandlers: Handlers<"PingDb" | "LoadResults"> = {
  PingDb: () =>
    Effect.gen(function* () {
      const db = yield* Db
      const started = performance.now()
      const ok = yield* db.use("dbping", pingDatabase).pipe(
        Effect.timeout("5 seconds"),
        Effect.as(true),
        Effect.catch(() => Effect.succeed(false)),
      )
      return {
        _tag: "DbPinged",
        ok,
        ms: Math.round(performance.now() - started),
      } satisfies Feedback as Feedback
    }),
  LoadResults: (cmd, { origin }) =>
    Effect.gen(function* () {
      const rows = yield* (yield* Db).use("findAttempts", (k) => findAttempts(k, origin.userId))
      return { _tag: "ResultsLoaded", messageId: cmd.messageId, results: summarizeAttempts(rows) } as Feedback
    }),
}
