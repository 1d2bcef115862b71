import { Context, Effect } from "effect"
import type { Transcript } from "../providers/transcription"
import { LlmError } from "./llm"

/** Whom an AI call is for: each upstream call counts towards the user's daily budget, and is billed to the case. */
export interface AiCaller {
  readonly userId: number | null
  readonly caseId: string
}

/** Speech to text through the transcription chain (OpenAI gpt-4o-transcribe → whisper-1 → Gemini audio). */
export interface TranscriberShape {
  /**
   * Takes an AI slot first, then loads `audio` (a voice waiting for a slot holds no bytes), then transcribes it.
   * The caller's case picks its own transcription chain when AI_CASE_CHAINS sets one.
   */
  readonly transcribe: <E>(
    audio: Effect.Effect<Uint8Array, E>,
    mime: string,
    fileName: string,
    caller: AiCaller,
  ) => Effect.Effect<Transcript, LlmError | E>
}

export class Transcriber extends Context.Service<Transcriber, TranscriberShape>()("emco/Transcriber") {}

/** Text to an OGG/Opus voice note, for persona voice replies (VOICE_REPLIES). */
export interface SpeechShape {
  readonly synthesize: (text: string, voice: string, caller: AiCaller) => Effect.Effect<Uint8Array, LlmError>
}

export class Speech extends Context.Service<Speech, SpeechShape>()("emco/Speech") {}

const unavailable = (what: string) =>
  Effect.fail(
    new LlmError({ reason: "no_provider", provider: "none", detail: `no ${what} provider configured` }),
  )

export const noTranscriber: TranscriberShape = { transcribe: () => unavailable("transcription") }
export const noSpeech: SpeechShape = { synthesize: () => unavailable("speech") }
