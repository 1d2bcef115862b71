import { Data, Effect } from "effect"
import { type Cmd, voiceLineOf } from "../core/commands"
import type { VoiceLimits } from "../core/limits"
import type { Feedback, RejectReason } from "../core/model"
import { withoutInvisible } from "../lib/invisible"
import { oggDurationSec } from "../lib/ogg-duration"
import { findTranscript, saveTranscript } from "../repositories/ai.repo"
import { Db } from "../services/db"
import { Settings } from "../services/settings"
import { type FileTooBig, Telegram, type TelegramShape } from "../services/telegram"
import { Transcriber } from "../services/voice"

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
 * Voice → text (run within the user's AI budget: see ai-turn.ts), each distinct voice file once: the transcript is cached by Telegram's file_unique_id. The file is
 * downloaded only once an AI slot is held.
 */
export const transcribe = (userId: number, cmd: TranscribeCmd, workId: number) =>
  Effect.gen(function* () {
    const db = yield* Db
    const { voiceLimits } = yield* Settings
    const done = (text: string): Feedback => ({
      _tag: "Transcribed",
      ...voiceLineOf(cmd),
      text: withoutInvisible(text),
    })
    const cached = yield* db.use("findTranscript", (k) => findTranscript(k, cmd.fileUniqueId))
    if (cached) return done(cached.transcript)
    const extension = cmd.mime.includes("mp4") ? "mp4" : cmd.mime.includes("mpeg") ? "mp3" : "ogg"
    // Each step of the chain is recorded (and counted towards the budget) by the transcriber itself.
    const caller = { userId, caseId: cmd.caseId }
    const audio = loadVoice(yield* Telegram, cmd, voiceLimits)
    const result = yield* (yield* Transcriber).transcribe(audio, cmd.mime, `voice.${extension}`, caller)
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
        ...voiceLineOf(cmd),
        ...(e._tag === "VoiceRejected" ? { reason: e.reason, limit: e.limit } : { reason: e._tag }),
      }),
    ),
  )
