import { Effect } from "effect"
import { InputFile } from "grammy"
import type { Cmd } from "../app/commands"
import type { Feedback } from "../app/model"
import { coveredKeys, personaTurnSchema, Review } from "../cases/kernel/ai-reply"
import { personaPrompt, reviewPrompt } from "../cases/kernel/prompts"
import { kernelTexts } from "../cases/kernel/texts"
import { findCase } from "../cases/registry"
import { findTranscript, saveTranscript } from "../repositories/ai.repo"
import { isOverAiBudget } from "../services/ai-budget"
import { Db } from "../services/db"
import { Llm, type LlmError } from "../services/llm"
import { Telegram } from "../services/telegram"
import { Speech, Transcriber } from "../services/voice"
import { Background } from "./background"
import type { Origin } from "./decode"

export type AiCmd = Extract<Cmd, { _tag: "AskPersona" | "AskReview" | "Transcribe" | "Speak" }>

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

/** Voice → text, each distinct voice file once: the transcript is cached by Telegram's file_unique_id. */
const transcribe = (userId: number, cmd: Extract<Cmd, { _tag: "Transcribe" }>) =>
  Effect.gen(function* () {
    const db = yield* Db
    const done = (text: string): Feedback => ({
      _tag: "Transcribed",
      caseId: cmd.caseId,
      attempt: cmd.attempt,
      text,
    })
    const refuse = (reason: string): Feedback => ({
      _tag: "TranscriptionFailed",
      caseId: cmd.caseId,
      attempt: cmd.attempt,
      reason,
    })
    // Over the daily budget the line could not be answered anyway: no download, no transcription.
    if (yield* isOverAiBudget(userId)) return refuse("daily_limit")
    const cached = yield* db.use("findTranscript", (k) => findTranscript(k, cmd.fileUniqueId))
    if (cached) return done(cached.transcript)
    const bytes = yield* (yield* Telegram).downloadFile(cmd.fileId)
    const extension = cmd.mime.includes("mp4") ? "mp4" : cmd.mime.includes("mpeg") ? "mp3" : "ogg"
    const result = yield* (yield* Transcriber).transcribe(bytes, cmd.mime, `voice.${extension}`, {
      userId,
      caseId: cmd.caseId,
    })
    if (result.text.trim() !== "")
      yield* db.use("saveTranscript", (k) =>
        saveTranscript(k, {
          fileUniqueId: cmd.fileUniqueId,
          transcript: result.text.trim(),
          provider: result.provider,
          model: result.model,
        }),
      )
    return done(result.text)
  }).pipe(
    Effect.catch((e) =>
      Effect.succeed<Feedback>({
        _tag: "TranscriptionFailed",
        caseId: cmd.caseId,
        attempt: cmd.attempt,
        reason: e._tag,
      }),
    ),
  )

const speak = (chatId: number, userId: number, cmd: Extract<Cmd, { _tag: "Speak" }>) =>
  Effect.gen(function* () {
    if (yield* isOverAiBudget(userId)) return
    const voice = findCase(cmd.caseId)?.persona.voice ?? "alloy"
    const audio = yield* (yield* Speech).synthesize(cmd.text, voice, { userId, caseId: cmd.caseId })
    yield* (yield* Telegram).sendVoice(chatId, new InputFile(audio, "reply.ogg"))
  }).pipe(Effect.ignore)

/** AI work runs in the background (the chat stays responsive); its result re-enters the chat as feedback. */
export const interpretAi = (chatId: number, origin: Origin, cmd: AiCmd) =>
  Effect.gen(function* () {
    const background = yield* Background
    switch (cmd._tag) {
      case "AskPersona": {
        const work = Effect.raceFirst(persona(chatId, origin.userId, cmd), keepTyping(chatId))
        return yield* background.run(chatId, origin, work)
      }
      case "AskReview": {
        const work = Effect.raceFirst(review(origin.userId, cmd), keepThinking(chatId, cmd.requestId))
        return yield* background.run(chatId, origin, work)
      }
      case "Transcribe": {
        const work = Effect.raceFirst(transcribe(origin.userId, cmd), keepTyping(chatId))
        return yield* background.run(chatId, origin, work)
      }
      case "Speak":
        return yield* Effect.forkDetach(speak(chatId, origin.userId, cmd)).pipe(Effect.asVoid)
    }
  })
