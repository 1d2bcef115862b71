import { Deferred, Effect } from "effect"
import { InputFile } from "grammy"
import { type AiCall, aiTaskFor, type CallOutcome } from "../cases/kernel/ai-requests"
import { cases, findCase } from "../cases/registry"
import { type Cmd, voiceLineOf } from "../core/commands"
import type { Feedback } from "../core/model"
import { type Deps, type WorkRef, WorkRunner } from "../pipeline/deps"
import { withinAiBudget } from "../services/ai-budget"
import { Db } from "../services/db"
import { Llm } from "../services/llm"
import { Metrics } from "../services/metrics"
import { Settings } from "../services/settings"
import { Telegram } from "../services/telegram"
import { Speech } from "../services/voice"
import { asCallOutcome } from "./call-outcome"
import { reviewKey } from "./review-key"
import { transcribe } from "./transcribe"
import { findVerdict, saveVerdict } from "./verdicts.repo"

/** The role-play's AI work: stored, run in the background and issued again if lost (see pipeline/work.ts). */
export type AiWorkCmd = Extract<Cmd, { _tag: "AskPersona" | "AskReview" | "Transcribe" }>

// Telegram shows "typing…" for about five seconds and a draft for about thirty: keep them alive while we wait.
const keepTyping = (chatId: number) =>
  Effect.flatMap(Telegram, (tg) =>
    tg.chatAction(chatId, "typing").pipe(Effect.ignore, Effect.delay("4500 millis"), Effect.forever),
  )
const keepThinking = (chatId: number, draftId: number) =>
  Effect.flatMap(Telegram, (tg) =>
    tg.thinking(chatId, draftId).pipe(
      Effect.andThen(Effect.sleep("25 seconds")),
      Effect.forever,
      // Drafts need Bot API 9.5 and a private chat; anywhere else the plain chat action does.
      Effect.catch(() => keepTyping(chatId)),
    ),
  )

/** A command's ordinary failure (the learner's «🔁 Повторить», or the explanation of the daily cap). */
const failed = (cmd: AiWorkCmd, reason: string): Feedback =>
  cmd._tag === "Transcribe"
    ? { _tag: "TranscriptionFailed", ...voiceLineOf(cmd), reason }
    : { _tag: "AiFailed", requestId: cmd.requestId, reason }

/** One call of a task through the gateway; its failure is an outcome too (the task decides what it means). */
const callOf = (ref: WorkRef, call: AiCall<unknown>, onQueued: Effect.Effect<void> | undefined) =>
  asCallOutcome(
    Effect.flatMap(Llm, (llm) =>
      llm.complete({ ...call, userId: ref.origin.userId, ...(onQueued ? { onQueued } : {}) }),
    ),
  )

/**
 * A task's calls side by side. With a grace, the calls after the first count as failed once the first has answered
 * and the grace has passed (the judge may not hold the persona's reply).
 */
const runCalls = Effect.fnUntraced(function* (
  calls: ReadonlyArray<Effect.Effect<CallOutcome, never, Deps>>,
  graceMs: number | undefined,
) {
  const firstDone = yield* Deferred.make<void>()
  const givenUp = (ms: number) =>
    Deferred.await(firstDone).pipe(
      Effect.andThen(Effect.sleep(ms)),
      Effect.as<CallOutcome>({ ok: false, reason: "timeout" }),
    )
  return yield* Effect.forEach(
    calls,
    (outcome, i) => {
      if (i === 0) return outcome.pipe(Effect.ensuring(Deferred.succeed(firstDone, undefined)))
      return graceMs === undefined ? outcome : Effect.raceFirst(outcome, givenUp(graceMs))
    },
    { concurrency: "unbounded" },
  )
})

/** Claims code refused and steps without a majority, for the dashboard (a prompt or model change shows up). */
const countDoubts = (caseId: string, feedback: Feedback) =>
  Effect.map(Metrics, (m) => {
    if (feedback._tag === "PersonaReplied" && feedback.unverified?.length)
      m.quotesUnverified.inc({ case: caseId, source: "judge" }, feedback.unverified.length)
    if (feedback._tag !== "ReviewReady" || !feedback.verdict) return
    if (feedback.verdict.quotesUnverified > 0)
      m.quotesUnverified.inc({ case: caseId, source: "reviewer" }, feedback.verdict.quotesUnverified)
    if (feedback.verdict.disputed.length > 0)
      m.stepsDisputed.inc({ case: caseId }, feedback.verdict.disputed.length)
  })

/**
 * Runs the task the kernel builds for the command — its calls side by side, each within the AI concurrency limit —
 * and hands its feedback event back. A review of a transcript already decided under the same rubric is the stored
 * verdict: no AI call.
 */
const ask = Effect.fnUntraced(function* (
  ref: WorkRef,
  cmd: Extract<AiWorkCmd, { _tag: "AskPersona" | "AskReview" }>,
) {
  const { config } = yield* Settings
  const task = aiTaskFor(cases, cmd, config.env.REVIEW_SAMPLES)
  if (!task) return failed(cmd, "unavailable")
  const db = yield* Db
  const key = cmd._tag === "AskReview" ? reviewKey(cmd, ref.origin.userId) : null
  if (key) {
    // The stored verdict saves calls; a database hiccup here only means asking the models.
    const stored = yield* db
      .use("findVerdict", (k) => findVerdict(k, key))
      .pipe(Effect.orElseSucceed(() => null))
    if (stored) return { ...stored, requestId: cmd.requestId }
  }
  const runner = yield* WorkRunner
  const queued = runner.notify(ref, { _tag: "AiQueued", requestId: cmd.requestId })
  const outcomes = yield* runCalls(
    task.calls.map((call, i) => callOf(ref, call, i === 0 && task.tellsWhenQueued ? queued : undefined)),
    task.lateGraceMs,
  )
  const feedback = task.read(outcomes)
  yield* countDoubts(cmd.caseId, feedback)
  if (key && feedback._tag === "ReviewReady")
    yield* db
      .use("saveVerdict", (k) => saveVerdict(k, key, ref.origin.userId, cmd.caseId, feedback))
      .pipe(Effect.ignore)
  return feedback
})

/**
 * The calls a command's work leads to when nothing fails: its task's, side by side; a voice note's transcription
 * and then the line it becomes (the persona and the judge), so a note is not heard only to be refused its answer.
 */
const callsNeeded = (cmd: AiWorkCmd, reviewSamples: number) =>
  cmd._tag === "Transcribe" ? 1 + 2 : (aiTaskFor(cases, cmd, reviewSamples)?.calls.length ?? 0)

const run = (ref: WorkRef, cmd: AiWorkCmd): Effect.Effect<Feedback, never, Deps> => {
  switch (cmd._tag) {
    case "AskPersona":
      return Effect.raceFirst(ask(ref, cmd), keepTyping(ref.chatId))
    case "AskReview":
      return Effect.raceFirst(ask(ref, cmd), keepThinking(ref.chatId, cmd.requestId))
    case "Transcribe":
      return Effect.raceFirst(transcribe(ref.origin.userId, cmd, ref.id), keepTyping(ref.chatId))
  }
}

/**
 * The AI work a command asks for, within the user's daily budget (`callsToday` when already read), with the chat's
 * «typing…» (or «Thinking…») kept alive while it runs. Never fails: a failure is a feedback event too.
 */
export const aiWork = (
  ref: WorkRef,
  cmd: AiWorkCmd,
  callsToday?: number,
): Effect.Effect<Feedback, never, Deps> =>
  Effect.flatMap(Settings, ({ config }) =>
    withinAiBudget(
      ref.origin.userId,
      callsNeeded(cmd, config.env.REVIEW_SAMPLES),
      run(ref, cmd),
      failed(cmd, "daily_limit"),
      callsToday,
    ),
  ).pipe(
    Effect.catch((e: { readonly _tag: string }) =>
      Effect.succeed(failed(cmd, cmd._tag === "Transcribe" ? e._tag : "unavailable")),
    ),
  )

/** The persona's line as a voice note (VOICE_REPLIES): a nicety within the budget, run detached, never retried. */
export const speakDetached = (chatId: number, userId: number, cmd: Extract<Cmd, { _tag: "Speak" }>) => {
  const speak = Effect.gen(function* () {
    const voice = findCase(cmd.caseId)?.persona.voice ?? "alloy"
    const audio = yield* (yield* Speech).synthesize(cmd.text, voice, { userId, caseId: cmd.caseId })
    yield* (yield* Telegram).sendVoice(chatId, new InputFile(audio, "reply.ogg"))
  })
  return Effect.forkDetach(withinAiBudget(userId, 1, speak, undefined).pipe(Effect.ignore)).pipe(
    Effect.asVoid,
  )
}
