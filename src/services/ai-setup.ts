import { Effect, Semaphore } from "effect"
import type { Kysely } from "kysely"
import type { Database } from "../../db/schema"
import type { AppConfig } from "../config/config"
import { makeGeminiClient } from "../providers/gemini"
import { makeOpenAiClient } from "../providers/openai"
import { openAiSpeech } from "../providers/speech"
import { chainTranscribers, geminiTranscriber, openAiTranscriber } from "../providers/transcription"
import { insertUsage } from "../repositories/ai.repo"
import { StartupError } from "../startup"
import { makeGateway, type Route, routingTable } from "./ai-gateway"
import type { LlmError, LlmShape, ProviderClient, ProviderName } from "./llm"
import { describeError, type LogShape } from "./log"
import type { MetricsShape } from "./metrics"
import { noSpeech, noTranscriber, type SpeechShape, type TranscriberShape, type Transcript } from "./voice"

export interface AiSetup {
  readonly llm: LlmShape
  readonly transcriber: TranscriberShape
  readonly speech: SpeechShape
  readonly clients: Partial<Record<ProviderName, ProviderClient>>
  /** Settles once every usage row recorded so far is written (idle checks, shutdown); never rejects. */
  readonly usageWritten: () => Promise<void>
}

/**
 * The AI gateway from configuration: a client per provider that has a key (others are skipped with a warning),
 * the routing table with fallback chains, the global concurrency limit, and usage recorded per attempt.
 * `usageDb` may commit lazily (see DbShape.useLazyCommit): a usage row lost in a PostgreSQL crash is one call
 * neither billed nor counted towards the daily cap, and it keeps a flush wait off every AI answer's way back.
 */
export const makeAi = (
  config: AppConfig,
  log: LogShape,
  metrics: MetricsShape,
  usageDb: Kysely<Database>,
): AiSetup => {
  const { env } = config
  const budget = {
    timeoutMs: env.AI_REQUEST_TIMEOUT_SEC * 1000,
    maxRetries: env.AI_REQUEST_MAX_RETRIES,
    backoffMs: env.AI_REQUEST_RETRY_BACKOFF_SEC * 1000,
  }
  const openAiUrl = env.OPENAI_BASE_URL ? { baseUrl: env.OPENAI_BASE_URL } : {}
  const geminiUrl = env.GEMINI_BASE_URL ? { baseUrl: env.GEMINI_BASE_URL } : {}
  const clients: Partial<Record<ProviderName, ProviderClient>> = {}
  if (env.OPENAI_API_KEY)
    clients.openai = makeOpenAiClient({
      ...budget,
      apiKey: env.OPENAI_API_KEY,
      ...openAiUrl,
    })
  if (env.GEMINI_API_KEY)
    clients.gemini = makeGeminiClient({
      ...budget,
      apiKey: env.GEMINI_API_KEY,
      ...geminiUrl,
    })
  if (!clients.openai && !clients.gemini)
    throw new StartupError(
      "Не задан ни один ключ ИИ: укажите OPENAI_API_KEY и/или GEMINI_API_KEY. / No AI provider: set OPENAI_API_KEY and/or GEMINI_API_KEY.",
    )
  for (const name of ["openai", "gemini"] as const)
    if (!clients[name])
      Effect.runSync(
        log.warn("AI provider skipped: no API key; its routes fall through to the next one", {
          provider: name,
        }),
      )

  // Usage rows are written one after another (a fallback chain's attempts stay in order) and beside the answer,
  // not before it: the next check of the daily cap comes with the learner's next line, long after.
  let usageWrites = Promise.resolve()
  const record = (usage: Parameters<typeof insertUsage>[1], waitedMs: number) =>
    Effect.sync(() => {
      const labels = {
        provider: usage.provider,
        model: usage.model,
        channel: usage.channel,
        outcome: usage.outcome,
      }
      metrics.aiCalls.inc(labels)
      metrics.aiLatency.observe({ provider: usage.provider, channel: usage.channel }, usage.latencyMs / 1000)
      metrics.aiTokens.inc({ provider: usage.provider, direction: "input" }, usage.inputTokens)
      metrics.aiTokens.inc({ provider: usage.provider, direction: "output" }, usage.outputTokens)
      metrics.aiQueueWait.observe(waitedMs / 1000)
      usageWrites = usageWrites
        .then(() => insertUsage(usageDb, usage))
        .then(
          () => {},
          (e) => Effect.runSync(log.warn("usage not recorded", describeError(e))),
        )
    })

  const slots = Semaphore.makeUnsafe(env.AI_MAX_CONCURRENCY)
  const llm = makeGateway({
    slots,
    inFlight: (delta) => metrics.aiInFlight.inc(delta),
    clients,
    routes: routingTable(
      { dialogue: env.AI_DIALOGUE_CHAIN, reviewer: env.AI_REVIEWER_CHAIN },
      env.AI_CASE_CHAINS ?? [],
    ),
    concurrency: env.AI_MAX_CONCURRENCY,
    queuedNoticeMs: 3000,
    record,
  })
  const voiceBudget = {
    timeoutMs: env.TRANSCRIBE_TIMEOUT_SEC * 1000,
    maxRetries: env.TRANSCRIBE_MAX_RETRIES,
    backoffMs: env.TRANSCRIBE_RETRY_BACKOFF_SEC * 1000,
  }
  // Each route of a chain is one step; steps whose provider has no key are left out.
  type Transcribe = (bytes: Uint8Array, mime: string, fileName: string) => Effect.Effect<Transcript, LlmError>
  const chainOf = (chain: ReadonlyArray<Route>): Transcribe | null => {
    const steps = chain.flatMap((route) => {
      if (route.provider === "openai" && env.OPENAI_API_KEY)
        return [
          openAiTranscriber({
            ...voiceBudget,
            apiKey: env.OPENAI_API_KEY,
            ...openAiUrl,
            models: [route.model],
          }),
        ]
      if (route.provider === "gemini" && env.GEMINI_API_KEY)
        return [
          geminiTranscriber({ ...voiceBudget, apiKey: env.GEMINI_API_KEY, ...geminiUrl, model: route.model }),
        ]
      return []
    })
    if (steps.length === 0) return null
    const chained = chainTranscribers(steps)
    return (bytes, mime, fileName) => chained.transcribe(bytes, mime, fileName)
  }
  const byCase = new Map(
    (env.AI_CASE_CHAINS ?? [])
      .filter((o) => o.channel === "transcription")
      .map((o) => [o.caseId, chainOf(o.chain)] as const),
  )
  const fallback = chainOf(env.AI_TRANSCRIPTION_CHAIN)
  const transcriber: TranscriberShape = {
    transcribe: (audio, mime, fileName, caseId) => {
      const chain = byCase.get(caseId) ?? fallback
      if (!chain) return noTranscriber.transcribe(audio, mime, fileName, caseId)
      return slots.withPermits(1)(Effect.flatMap(audio, (bytes) => chain(bytes, mime, fileName)))
    },
  }
  const tts = env.OPENAI_API_KEY
    ? openAiSpeech({ ...budget, apiKey: env.OPENAI_API_KEY, ...openAiUrl })
    : noSpeech
  const speech: SpeechShape = {
    synthesize: (text, voice) => slots.withPermits(1)(tts.synthesize(text, voice)),
  }
  return { llm, transcriber, speech, clients, usageWritten: () => usageWrites }
}
