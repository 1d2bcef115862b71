import { Data, Effect } from "effect"
import type { Cmd } from "../app/commands"
import type { Feedback, RejectReason } from "../app/model"
import { oggDurationSec } from "../lib/ogg-duration"
import { countTurnsToday, findTranscript, insertUsage, saveTranscript } from "../repositories/ai.repo"
import { Db } from "../services/db"
import { Settings } from "../services/settings"
import { type FileTooBig, Telegram, type TelegramShape } from "../services/telegram"
import { Transcriber } from "../services/voice"
import type { VoiceLimits } from "./decode"

type TranscribeCmd = Extract<Cmd, { _tag: "Transcribe" }>

/** A voice that breaks a limit once its real bytes are seen (whatever its message declared). */
class VoiceRejected extends Data.TaggedError("VoiceRejected")<{
  readonly reason: RejectReason
  readonly limit: number
}> {}

/**
 * The voice's bytes, bounded by what they really are: never more than the size limit held (see downloadFile), and an
 * Ogg note's real duration (from the container) checked against the duration limits before anything is sent on.
 */
const loadVoice = (tg: TelegramShape, cmd: TranscribeCmd, limits: VoiceLimits) =>
  tg.downloadFile(cmd.fileId, limits.maxBytes).pipe(
    Effect.catchTag("FileTooBig", (e: FileTooBig) =>
      Effect.fail(new VoiceRejected({ reason: "voice_too_big", limit: e.limitBytes / 1_000_000 })),
    ),
    Effect.flatMap((bytes) => {
      const seconds = oggDurationSec(bytes)
      if (seconds !== null && seconds > limits.maxSec)
        return Effect.fail(new VoiceRejected({ reason: "voice_too_long", limit: limits.maxSec }))
      if (seconds !== null && seconds < limits.minSec)
        return Effect.fail(new VoiceRejected({ reason: "voice_too_short", limit: limits.minSec }))
      return Effect.succeed(bytes)
    }),
  )

/**
 * Voice → text, each distinct voice file once: the transcript is cached by Telegram's file_unique_id. The file is
 * downloaded only once an AI slot is held.
 */
export const transcribe = (userId: number, cmd: TranscribeCmd, workId: number) =>
  Effect.gen(function* () {
    const db = yield* Db
    const { config, voiceLimits } = yield* Settings
    const done = (text: string): Feedback => ({
      _tag: "Transcribed",
      caseId: cmd.caseId,
      attempt: cmd.attempt,
      text,
    })
    const refuse = (reason: string, limit?: number): Feedback => ({
      _tag: "TranscriptionFailed",
      caseId: cmd.caseId,
      attempt: cmd.attempt,
      reason,
      ...(limit === undefined ? {} : { limit }),
    })
    const today = yield* db.use("turnsToday", (k) =>
      countTurnsToday(k, userId, config.env.APSCHEDULER_TIMEZONE),
    )
    // Over the daily cap the line could not be answered anyway: no download, no transcription.
    if (today >= config.env.AI_DAILY_TURNS_PER_USER) return refuse("daily_limit")
    const cached = yield* db.use("findTranscript", (k) => findTranscript(k, cmd.fileUniqueId))
    if (cached) return done(cached.transcript)
    const extension = cmd.mime.includes("mp4") ? "mp4" : cmd.mime.includes("mpeg") ? "mp3" : "ogg"
    const usage = (
      outcome: string,
      provider: string,
      model: string,
      latencyMs: number,
      errorClass: string | null,
    ) =>
      db.use("usage", (k) =>
        insertUsage(k, {
          userId,
          caseId: cmd.caseId,
          channel: "transcription",
          provider,
          model,
          inputTokens: 0,
          outputTokens: 0,
          latencyMs,
          outcome,
          errorClass,
        }),
      )
    const started = performance.now()
    const result = yield* (yield* Transcriber)
      .transcribe(loadVoice(yield* Telegram, cmd, voiceLimits), cmd.mime, `voice.${extension}`, cmd.caseId)
      .pipe(
        Effect.tapError((e) =>
          e._tag === "LlmError"
            ? usage(e.reason, e.provider, "chain", performance.now() - started, e.detail.slice(0, 200))
            : Effect.void,
        ),
      )
    yield* usage("ok", result.provider, result.model, result.latencyMs, null)
    if (result.text.trim() !== "")
      yield* db.use("saveTranscript", (k) =>
        saveTranscript(k, {
          fileUniqueId: cmd.fileUniqueId,
          userId,
          workId,
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
        ...(e._tag === "VoiceRejected" ? { reason: e.reason, limit: e.limit } : { reason: e._tag }),
      }),
    ),
  )
