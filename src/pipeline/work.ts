import { Effect } from "effect"
import type { InboxRow } from "../../db/schema"
import { adminTexts } from "../admin/texts"
import type { Env } from "../config/config"
import { type Cmd, voiceLineOf } from "../core/commands"
import type { Feedback } from "../core/model"
import { fileExportWork } from "../export/file-export"
import { releaseLeasesNotOwnedBy } from "../repositories/leases.repo"
import {
  claimOrphanedWork,
  markCommandDoneWithWork,
  type NewWork,
  type StartedWork,
} from "../repositories/work.repo"
import { type AiWorkCmd, aiWork } from "../roleplay/ai-turn"
import { routingTable } from "../services/ai-gateway"
import { Db } from "../services/db"
import { Exporter } from "../services/exporter"
import { describeError, Log } from "../services/log"
import { Metrics } from "../services/metrics"
import { Settings } from "../services/settings"
import type { Origin } from "./decode"
import type { Deps } from "./deps"
import { WORK_LEASE_TTL_MS, type WorkRef, WorkRunner } from "./deps"

/** Commands whose work outlives the statement that starts it: stored, run in the background, issued again if lost. */
export type WorkCmd = AiWorkCmd | Extract<Cmd, { _tag: "ExportNow" | "ExportFile" }>

const WORK_TAGS: ReadonlySet<Cmd["_tag"]> = new Set([
  "AskPersona",
  "AskReview",
  "Transcribe",
  "ExportNow",
  "ExportFile",
])
export const isWork = (cmd: Cmd): cmd is WorkCmd => WORK_TAGS.has(cmd._tag)

/** Issues of one piece of work: the first, and at most one more after its owner was lost. Then it fails. */
export const MAX_ISSUES = 2

// The owner gives up on its own this long before another instance may issue the work again, so a slow call ends
// in the learner's «🔁 Повторить» rather than in a second, parallel call.
const GRACE_SECONDS = 30
const QUEUE_ALLOWANCE_SECONDS = 120
const DOWNLOAD_ALLOWANCE_SECONDS = 60
const EXPORT_SECONDS = 600

/** The longest one route of a chain can take: every attempt timing out, with the retries' back-off between. */
const routeSeconds = (timeout: number, retries: number, backoff: number) =>
  timeout * (retries + 2) + backoff * 2 ** (retries + 1)

/** How long one issue of the work may take, at most, before another instance may issue it again. */
export const deadlineSeconds = (env: Env, cmd: WorkCmd): number => {
  if (cmd._tag === "ExportNow" || cmd._tag === "ExportFile") return EXPORT_SECONDS + GRACE_SECONDS
  const chains = routingTable(
    { dialogue: env.AI_DIALOGUE_CHAIN, judge: env.AI_JUDGE_CHAIN, reviewer: env.AI_REVIEWER_CHAIN },
    env.AI_CASE_CHAINS ?? [],
  )
  if (cmd._tag === "Transcribe") {
    const own = env.AI_CASE_CHAINS?.find((o) => o.caseId === cmd.caseId && o.channel === "transcription")
    const routes = (own?.chain ?? env.AI_TRANSCRIPTION_CHAIN).length
    const perRoute = routeSeconds(
      env.TRANSCRIBE_TIMEOUT_SEC,
      env.TRANSCRIBE_MAX_RETRIES,
      env.TRANSCRIBE_RETRY_BACKOFF_SEC,
    )
    return routes * perRoute + DOWNLOAD_ALLOWANCE_SECONDS + QUEUE_ALLOWANCE_SECONDS + GRACE_SECONDS
  }
  // The persona's line and its judge run side by side: the longer chain bounds the turn.
  const routes =
    cmd._tag === "AskPersona"
      ? Math.max(chains(cmd.caseId, "dialogue").length, chains(cmd.caseId, "judge").length)
      : chains(cmd.caseId, "reviewer").length
  const perRoute = routeSeconds(
    env.AI_REQUEST_TIMEOUT_SEC,
    env.AI_REQUEST_MAX_RETRIES,
    env.AI_REQUEST_RETRY_BACKOFF_SEC,
  )
  return Math.max(1, routes) * perRoute + QUEUE_ALLOWANCE_SECONDS + GRACE_SECONDS
}

/** The result of work that did not finish in time or was lost too often: the command's ordinary failure path. */
export const givenUp = (cmd: WorkCmd, reason: "timeout" | "interrupted"): Feedback => {
  switch (cmd._tag) {
    case "AskPersona":
    case "AskReview":
      return { _tag: "AiFailed", requestId: cmd.requestId, reason }
    case "Transcribe":
      return { _tag: "TranscriptionFailed", ...voiceLineOf(cmd), reason }
    case "ExportNow":
      return {
        _tag: "ExportFinished",
        url: null,
        message: reason === "timeout" ? adminTexts.exportTimedOut : adminTexts.exportInterrupted,
      }
    case "ExportFile":
      return { _tag: "FileExported", format: cmd.format, ok: false }
  }
}

// The admin reads what to ask their operator; the operator reads the detail (and the time spent) in the log.
const exportWork = Effect.suspend(() => {
  const started = performance.now()
  return Effect.flatMap(Exporter, (exporter) => exporter.run).pipe(
    Effect.map((r): Feedback => ({ _tag: "ExportFinished", url: r.url, message: null })),
    Effect.catch((failure) =>
      Effect.flatMap(Log, (log) =>
        log.warn("google sheets export failed", { ...failure, ms: Math.round(performance.now() - started) }),
      ).pipe(
        Effect.as<Feedback>({
          _tag: "ExportFinished",
          url: null,
          message: adminTexts.exportFailure[failure.reason],
        }),
      ),
    ),
  )
})

/**
 * What running the work means, bounded by its own deadline (after which it fails the ordinary way); `callsToday`
 * is the AI budget read by the statement that started it (work issued again reads it anew).
 */
const workOf = (ref: WorkRef, cmd: WorkCmd, deadline: number, callsToday?: number) => {
  const work: Effect.Effect<Feedback, never, Deps> =
    cmd._tag === "ExportNow"
      ? exportWork
      : cmd._tag === "ExportFile"
        ? fileExportWork(ref.chatId, cmd.format)
        : aiWork(ref, cmd, callsToday)
  const seconds = Math.max(1, deadline - GRACE_SECONDS)
  return work.pipe(
    Effect.timeoutOrElse({
      duration: `${seconds} seconds`,
      // The user is told it took too long; the operator reads which work and after how long.
      orElse: () =>
        Effect.flatMap(Log, (log) =>
          log.warn("background work timed out", { command: cmd._tag, seconds }),
        ).pipe(Effect.as(givenUp(cmd, "timeout"))),
    }),
  )
}

/** The row that stores a command's work: who asked, what, and how long one issue of it may take. */
export const newWork = (origin: Origin, cmd: WorkCmd) =>
  Effect.map(
    Settings,
    ({ config, instanceId }): NewWork => ({
      userId: origin.userId,
      command: cmd,
      origin,
      owner: instanceId,
      leaseSeconds: WORK_LEASE_TTL_MS / 1000,
      deadlineSeconds: deadlineSeconds(config.env, cmd),
      dayZone: config.env.APSCHEDULER_TIMEZONE,
    }),
  )

/** Runs, in the background, work whose row (`newWork`) a statement has just written. */
export const runStartedWork = (ref: WorkRef, cmd: WorkCmd, work: NewWork, started: StartedWork) =>
  Effect.flatMap(WorkRunner, (runner) =>
    runner.run(ref, workOf(ref, cmd, work.deadlineSeconds, started.aiCallsToday)),
  )

/**
 * Runs a command of `row` as stored work: the work's row is written by the statement that marks the command done
 * (`done` commands, `last` marks the row processed), then the work runs in the background.
 */
export const startWork = Effect.fnUntraced(function* (
  row: InboxRow,
  origin: Origin,
  cmd: WorkCmd,
  done: number,
  last: boolean,
) {
  const db = yield* Db
  const work = yield* newWork(origin, cmd)
  const mark = { id: row.id, chatId: row.chat_id, done, last }
  const started = yield* db.use("startWork", (k) => markCommandDoneWithWork(k, mark, work))
  yield* runStartedWork({ id: started.id, chatId: row.chat_id, origin }, cmd, work, started)
})

/**
 * Issues again the work nobody is doing (its owner died, was stopped mid-call or is past the deadline): at start and
 * on every sweep. Work issued MAX_ISSUES times already is settled as failed instead (the learner's «🔁 Повторить»).
 * With `everything`, all work of other owners is taken (an embedded database has no other live instance).
 */
export const reissueOrphanedWork = (everything = false) =>
  Effect.gen(function* () {
    const db = yield* Db
    const log = yield* Log
    const background = yield* WorkRunner
    const metrics = yield* Metrics
    const { config, instanceId } = yield* Settings
    // The chats a killed process held wait for no lease to expire: the next sweep picks up their rows.
    if (everything) yield* db.use("releaseStaleLeases", (k) => releaseLeasesNotOwnedBy(k, instanceId))
    const claimed = yield* db.use("claimWork", (k) =>
      claimOrphanedWork(k, instanceId, WORK_LEASE_TTL_MS / 1000, 100, everything),
    )
    for (const row of claimed) {
      const cmd = row.command as WorkCmd
      const ref: WorkRef = { id: row.id, chatId: row.chat_id, origin: row.origin as Origin }
      const givingUp = row.issues > MAX_ISSUES
      metrics.workReissues.inc({ outcome: givingUp ? "given_up" : "reissued" })
      yield* log.warn("background work issued again", {
        workId: row.id,
        chatId: row.chat_id,
        issue: row.issues,
      })
      yield* givingUp
        ? background.settle(ref, givenUp(cmd, "interrupted"))
        : background.run(ref, workOf(ref, cmd, deadlineSeconds(config.env, cmd)))
    }
  }).pipe(
    Effect.catch((e) =>
      Effect.flatMap(Log, (log) =>
        log.warn("work sweep failed", { operation: e.operation, ...describeError(e.cause) }),
      ),
    ),
  )
