import { Duration, Effect } from "effect"
import { toFile } from "openai"
import { LlmError } from "../services/llm"
import { classifyGemini, type GeminiClientOptions, geminiSdk, responseText } from "./gemini"
import { classifyOpenAi, type OpenAiClientOptions, openAiSdk } from "./openai"
import { makePolicy } from "./policy"

export interface Transcript {
  readonly text: string
  readonly provider: string
  readonly model: string
  readonly latencyMs: number
}

export interface TranscriptionProvider {
  readonly transcribe: (
    bytes: Uint8Array,
    mime: string,
    fileName: string,
  ) => Effect.Effect<Transcript, LlmError>
}

export const TRANSCRIBE_INSTRUCTION = "Дословно расшифруй эту аудиозапись на русском. Верни только текст."

export const EMPTY_TRANSCRIPT = "empty transcript"

const failEmpty = (provider: string) => (text: string) =>
  text.trim() === ""
    ? Effect.fail(new LlmError({ reason: "malformed", provider, detail: EMPTY_TRANSCRIPT }))
    : Effect.succeed(text.trim())

/** One model's transcript; an empty one fails so that the next model is tried. Details name the model. */
const step = (provider: string, model: string, text: Effect.Effect<string, LlmError>) =>
  text.pipe(
    Effect.flatMap(failEmpty(provider)),
    Effect.map((t): Transcript => ({ text: t, provider, model, latencyMs: 0 })),
    Effect.mapError((e) => new LlmError({ reason: e.reason, provider, detail: `${model}: ${e.detail}` })),
  )

/**
 * The first transcript of the steps tried in order, timed as a whole (the learner waits for all of them).
 * When all fail: the last reason, and every step's detail (models and statuses, never audio or text).
 */
const firstTranscript = (
  steps: ReadonlyArray<Effect.Effect<Transcript, LlmError>>,
  emptyIsAnswer = false,
): Effect.Effect<Transcript, LlmError> => {
  const from = (index: number, failures: ReadonlyArray<LlmError>): Effect.Effect<Transcript, LlmError> => {
    const next = steps[index]
    if (next) return Effect.catch(next, (error) => from(index + 1, [...failures, error]))
    // At the end of the whole chain, every model having heard nothing (silence, noise) is an answer — an empty
    // transcript for the learner to repeat — not a fault. Inside one provider it only means «try the next one».
    const last = failures.at(-1)
    if (emptyIsAnswer && last && failures.every((e) => e.detail.endsWith(EMPTY_TRANSCRIPT)))
      return Effect.succeed<Transcript>({ text: "", provider: last.provider, model: "all", latencyMs: 0 })
    const detail = failures.map((e) => e.detail).join("; ") || "no transcriber configured"
    return Effect.fail(
      new LlmError({ reason: last?.reason ?? "no_provider", provider: last?.provider ?? "none", detail }),
    )
  }
  return from(0, []).pipe(
    Effect.timed,
    Effect.map(([elapsed, transcript]) => ({
      ...transcript,
      latencyMs: Math.round(Duration.toMillis(elapsed)),
    })),
  )
}

/** OpenAI speech-to-text with the listed models in order (e.g. gpt-4o-transcribe, then whisper-1). */
export const openAiTranscriber = (
  options: OpenAiClientOptions & { readonly models: ReadonlyArray<string> },
): TranscriptionProvider => {
  const client = openAiSdk(options)
  const policy = makePolicy("openai", options, classifyOpenAi)
  return {
    transcribe: (bytes, mime, fileName) =>
      firstTranscript(
        options.models.map((model) => {
          const text = policy.call(async (signal) => {
            const file = await toFile(bytes, fileName, { type: mime })
            // The original sent no language: short voice notes are easily taken for another language.
            const request = { model, file, language: "ru", response_format: "json" } as const
            return (await client.audio.transcriptions.create(request, { signal })).text
          })
          return step("openai", model, text)
        }),
      ),
  }
}

/** Gemini native audio understanding: the voice note as an inline part, the instruction as system text. */
export const geminiTranscriber = (
  options: GeminiClientOptions & { readonly model: string },
): TranscriptionProvider => {
  const client = geminiSdk(options)
  const policy = makePolicy("gemini", options, classifyGemini)
  return {
    transcribe: (bytes, mime) => {
      const audio = { inlineData: { mimeType: mime, data: Buffer.from(bytes).toString("base64") } }
      const text = policy.call(async (abortSignal) => {
        const response = await (await client()).models.generateContent({
          model: options.model,
          contents: [{ role: "user", parts: [audio] }],
          config: { systemInstruction: TRANSCRIBE_INSTRUCTION, abortSignal },
        })
        return responseText(response)
      })
      return firstTranscript([step("gemini", options.model, text)])
    },
  }
}

/** Tries each transcriber in order; the latency covers the whole chain. */
export const chainTranscribers = (
  transcribers: ReadonlyArray<TranscriptionProvider>,
): TranscriptionProvider => ({
  transcribe: (bytes, mime, fileName) =>
    firstTranscript(
      transcribers.map((t) => t.transcribe(bytes, mime, fileName)),
      true,
    ),
})
