import { Effect } from "effect"
import { InputFile } from "grammy"
import { aiRequestFor } from "../cases/kernel/ai-requests"
import { cases, findCase } from "../cases/registry"
import type { Cmd } from "../core/commands"
import type { Feedback } from "../core/model"
import { type Deps, type WorkRef, WorkRunner } from "../pipeline/deps"
import { withinAiBudget } from "../services/ai-budget"
import { Llm } from "../services/llm"
import { Telegram } from "../services/telegram"
import { Speech } from "../services/voice"
import { transcribe } from "./transcribe"

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
    ? { _tag: "TranscriptionFailed", caseId: cmd.caseId, attempt: cmd.attempt, reason }
    : { _tag: "AiFailed", requestId: cmd.requestId, reason }

/** Runs the request the kernel builds for the command and hands the decoded answer back as its feedback event. */
const ask = (ref: WorkRef, cmd: Extract<AiWorkCmd, { _tag: "AskPersona" | "AskReview" }>) =>
  Effect.gen(function* () {
    const request = aiRequestFor(cases, cmd)
    if (!request) return failed(cmd, "unavailable")
    const runner = yield* WorkRunner
    const queued: Feedback = { _tag: "AiQueued", requestId: cmd.requestId }
    const answer = yield* (yield* Llm).complete({
      ...request,
      userId: ref.origin.userId,
      ...(request.tellsWhenQueued ? { onQueued: runner.notify(ref, queued) } : {}),
    })
    return request.read(answer.value, `${answer.provider}:${answer.model}`)
  }).pipe(Effect.catchTag("LlmError", (e) => Effect.succeed(failed(cmd, e.reason))))

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
 * The AI work a command asks for, within the user's daily budget, with the chat's «typing…» (or «Thinking…») kept
 * alive while it runs. Never fails: a failure is a feedback event too.
 */
export const aiWork = (ref: WorkRef, cmd: AiWorkCmd): Effect.Effect<Feedback, never, Deps> =>
  withinAiBudget(ref.origin.userId, run(ref, cmd), failed(cmd, "daily_limit")).pipe(
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
  return Effect.forkDetach(withinAiBudget(userId, speak, undefined).pipe(Effect.ignore)).pipe(Effect.asVoid)
}
