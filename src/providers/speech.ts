import { Effect } from "effect"
import { LlmError } from "../services/llm"
import { classifyOpenAi, type OpenAiClientOptions, openAiSdk } from "./openai"
import { makePolicy } from "./policy"

export interface SpeechProvider {
  /** OGG/Opus bytes, ready for Telegram's sendVoice. */
  readonly synthesize: (text: string, voice: string) => Effect.Effect<Uint8Array, LlmError>
}

export const DEFAULT_SPEECH_MODEL = "gpt-4o-mini-tts"

export const openAiSpeech = (options: OpenAiClientOptions & { readonly model?: string }): SpeechProvider => {
  const client = openAiSdk(options)
  const policy = makePolicy("openai", options, classifyOpenAi)
  const model = options.model ?? DEFAULT_SPEECH_MODEL
  return {
    synthesize: (text, voice) =>
      policy
        .call(async (signal) => {
          const request = { model, voice, input: text, response_format: "opus" } as const
          const response = await client.audio.speech.create(request, { signal })
          // Read inside the attempt so that a stalled body is covered by the per-attempt timeout.
          return new Uint8Array(await response.arrayBuffer())
        })
        .pipe(
          Effect.flatMap((bytes) =>
            bytes.length === 0
              ? Effect.fail(new LlmError({ reason: "malformed", provider: "openai", detail: "empty audio" }))
              : Effect.succeed(bytes),
          ),
        ),
  }
}
