import { Effect } from "effect"
import { InputFile } from "grammy"
import { personaPrompt, reviewPrompt } from "../cases/kernel/prompts"
import { kernelTexts } from "../cases/kernel/texts"
import { findCase } from "../cases/registry"
import { coveredKeys, personaTurnSchema, Review } from "../core/ai-reply"
import type { Cmd } from "../core/commands"
import type { Feedback } from "../core/model"
import { isOverAiBudget } from "../services/ai-budget"
import { Llm, type LlmError } from "../services/llm"
import { Telegram } from "../services/telegram"
import { Speech } from "../services/voice"
import type { Origin } from "./decode"
import { transcribe } from "./transcribe"

export type AiCmd = Extract<Cmd, { _tag: "AskPersona" | "AskReview" | "Transcribe" }>

const failed = (requestId: number) => (e: LlmError) =>
  Effect.succeed<Feedback>({ _tag: "AiFailed", requestId, reason: e.reason })

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

const persona = (chatId: number, userId: number, cmd: Extract<Cmd, { _tag: "AskPersona" }>) =>
  Effect.gen(function* () {
    const spec = findCase(cmd.caseId)!
    const tg = yield* Telegram
    if (yield* isOverAiBudget(userId))
      return { _tag: "AiFailed", requestId: cmd.requestId, reason: "daily_limit" } as Feedback
    const keys = spec.methodology.components.map((c) => c.key)
    const onQueued = tg.send(chatId, kernelTexts.queued).pipe(Effect.ignore)
    const request = { ...personaPrompt(spec, cmd.turns, cmd.text), userId, onQueued }
    return yield* (yield* Llm)
      .complete({
        channel: "dialogue",
        caseId: spec.id,
        ...request,
        schema: personaTurnSchema(keys),
        schemaName: "persona_turn",
      })
      .pipe(
        Effect.map(
          (a): Feedback => ({
            _tag: "PersonaReplied",
            requestId: cmd.requestId,
            reply: a.value.reply,
            covered: coveredKeys(a.value, keys),
            model: `${a.provider}:${a.model}`,
          }),
        ),
        Effect.catch(failed(cmd.requestId)),
      )
  }).pipe(
    Effect.catch(() =>
      Effect.succeed<Feedback>({ _tag: "AiFailed", requestId: cmd.requestId, reason: "unavailable" }),
    ),
  )

const review = (userId: number, cmd: Extract<Cmd, { _tag: "AskReview" }>) => {
  const spec = findCase(cmd.caseId)!
  const request = { ...reviewPrompt(spec, cmd.turns, cmd.covered), userId }
  const ask = Effect.flatMap(Llm, (llm) =>
    llm.complete({ channel: "reviewer", caseId: spec.id, ...request, schema: Review, schemaName: "review" }),
  ).pipe(
    Effect.map(
      (a): Feedback => ({
        _tag: "ReviewReady",
        requestId: cmd.requestId,
        review: a.value,
        model: `${a.provider}:${a.model}`,
      }),
    ),
    Effect.catch(failed(cmd.requestId)),
  )
  const refused = (reason: string): Feedback => ({ _tag: "AiFailed", requestId: cmd.requestId, reason })
  return isOverAiBudget(userId).pipe(
    Effect.flatMap((over) => (over ? Effect.succeed(refused("daily_limit")) : ask)),
    Effect.catch(() => Effect.succeed(refused("unavailable"))),
  )
}

const speak = (chatId: number, userId: number, cmd: Extract<Cmd, { _tag: "Speak" }>) =>
  Effect.gen(function* () {
    if (yield* isOverAiBudget(userId)) return
    const voice = findCase(cmd.caseId)?.persona.voice ?? "alloy"
    const audio = yield* (yield* Speech).synthesize(cmd.text, voice, { userId, caseId: cmd.caseId })
    yield* (yield* Telegram).sendVoice(chatId, new InputFile(audio, "reply.ogg"))
  }).pipe(Effect.ignore)

/** The persona's line as a voice note (VOICE_REPLIES): a nicety, run detached and never retried. */
export const speakDetached = (chatId: number, userId: number, cmd: Extract<Cmd, { _tag: "Speak" }>) =>
  Effect.forkDetach(speak(chatId, userId, cmd)).pipe(Effect.asVoid)

/**
 * The AI call a command asks for, with the chat's «typing…» (or «Thinking…») kept alive while it runs. Never
 * fails: a failure is a feedback event too. Run as stored background work (see work.ts).
 */
export const aiWork = (chatId: number, origin: Origin, cmd: AiCmd, workId: number) => {
  switch (cmd._tag) {
    case "AskPersona":
      return Effect.raceFirst(persona(chatId, origin.userId, cmd), keepTyping(chatId))
    case "AskReview":
      return Effect.raceFirst(review(origin.userId, cmd), keepThinking(chatId, cmd.requestId))
    case "Transcribe":
      return Effect.raceFirst(transcribe(origin.userId, cmd, workId), keepTyping(chatId))
  }
}
