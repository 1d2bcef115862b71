import { Effect } from "effect"
import type { Feedback } from "../core/model"
import type { Handlers } from "../pipeline/command-handler"
import { pingDatabase } from "../repositories/health.repo"
import { Db } from "../services/db"
import { findAttemptSummaries, findCaseHistory, findStoredAttempt, findTranscript } from "./history.repo"

type NavCmd = "PingDb" | "LoadResults" | "OpenAttempt" | "LoadTranscript" | "LoadProgress"

export const navHandlers: Handlers<NavCmd> = {
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
      const attempts = yield* (yield* Db).use("findAttemptSummaries", (k) =>
        findAttemptSummaries(k, origin.userId),
      )
      return { _tag: "ResultsLoaded", messageId: cmd.messageId, page: cmd.page, attempts } as Feedback
    }),
  OpenAttempt: (cmd, { origin }) =>
    Effect.gen(function* () {
      const attempt = yield* (yield* Db).use("findStoredAttempt", (k) =>
        findStoredAttempt(k, origin.userId, cmd.attemptId),
      )
      return { _tag: "AttemptLoaded", messageId: cmd.messageId, page: cmd.page ?? 0, attempt } as Feedback
    }),
  LoadTranscript: (cmd, { origin }) =>
    Effect.gen(function* () {
      const transcript = yield* (yield* Db).use("findTranscript", (k) =>
        findTranscript(k, origin.userId, cmd.attemptId),
      )
      return { _tag: "TranscriptLoaded", transcript } as Feedback
    }),
  LoadProgress: (cmd, { origin }) =>
    Effect.gen(function* () {
      const history = yield* (yield* Db).use("findCaseHistory", (k) =>
        findCaseHistory(k, origin.userId, cmd.caseId),
      )
      return { _tag: "ProgressLoaded", caseId: cmd.caseId, history } as Feedback
    }),
}
