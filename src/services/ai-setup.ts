import { Effect, Redacted, Semaphore } from "effect"
import type { Kysely } from "kysely"
import type { Database } from "../../db/schema"
import { type AppConfig, missingAiKey } from "../config/config"
import { makeGeminiClient } from "../providers/gemini"
import { makeOpenAiClient } from "../providers/openai"
import { DEFAULT_SPEECH_MODEL, openAiSpeech } from "../providers/speech"
import {
  chainTranscribers,
  EMPTY_TRANSCRIPT,
  geminiTranscriber,
  openAiTranscriber,
  type Transcript,
} from "../providers/transcription"
import type { UsageRecord } from "../repositories/ai.repo"
import { StartupError } from "../startup"
import { type ChainFailure, makeGateway, type Route, routingTable } from "./ai-gateway"
import { makeUsageRecorder, metered } from "./ai-usage"
import type { LlmError, LlmShape, ProviderClient, ProviderName } from "./llm"
import type { LogShape } from "./log"
import type { MetricsShape } from "./metrics"
import { type AiCaller, noSpeech, noTranscriber, type SpeechShape, type TranscriberShape } from "./voice"

export interface AiSetup {
  readonly llm: LlmShape
  readonly transcriber: TranscriberShape
  readonly speech: SpeechShape
  readonly clients: Partial<Record<ProviderName, ProviderClient>>
  /** Settles once every usage row recorded so far is written (idle checks, shutdown); never rejects. */
  readonly usageWritten: () => Promise<void>
}

/**
 * One line an operator can act on when a whole chain failed (the learner was told the AI cannot answer): the case,
 * each provider tried with its error class, the time spent. No dialogue text, no keys.
 */
const logChainFailed =
  (log: LogShape) =>
  ({ caseId, channel, tried, ms }: Omit<ChainFailure, "channel"> & { readonly channel: string }) =>
    log.warn("ai chain failed", {
      caseId,
      channel,
      providers: tried.map((t) => `${t.route.provider}:${t.route.model}`).join(" → ") || "none",
      errors: tried.map((t) => `${t.reason} (${t.detail})`).join("; ") || "no provider has a key",
      ms,
    })

/** Without any AI key the bot cannot hold a dialogue: refused at once, before a database is opened or created. */
export const requireAiKey = (env: AppConfig["env"]) => {
  const [missing] = missingAiKey({
    OPENAI_API_KEY: env.OPENAI_API_KEY && Redacted.value(env.OPENAI_API_KEY),
    GEMINI_API_KEY: env.GEMINI_API_KEY && Redacted.value(env.GEMINI_API_KEY),
  })
  if (missing) throw new StartupError(missing)
}

/** A chat client per provider that has a key, with the configured per-call budget (also used by `bun run eval`). */
export const providerClients = (env: AppConfig["env"]) => {
  const budget = {
    timeoutMs: env.AI_REQUEST_TIMEOUT_SEC * 1000,
    maxRetries: env.AI_REQUEST_MAX_RETRIES,
    backoffMs: env.AI_REQUEST_RETRY_BACKOFF_SEC * 1000,
  }
  const openAiUrl = env.OPENAI_BASE_URL ? { baseUrl: env.OPENAI_BASE_URL } : {}
  const geminiUrl = env.GEMINI_BASE_URL ? { baseUrl: env.GEMINI_BASE_URL } : {}
  const clients: Partial<Record<ProviderName, ProviderClient>> = {}
  if (env.OPENAI_API_KEY)
    clients.openai = makeOpenAiClient({ ...budget, apiKey: env.OPENAI_API_KEY, ...openAiUrl })
  if (env.GEMINI_API_KEY)
    clients.gemini = makeGeminiClient({ ...budget, apiKey: env.GEMINI_API_KEY, ...geminiUrl })
  return { budget, openAiUrl, geminiUrl, clients }
}

/**
 * The AI gateway from configuration: a client per provider that has a key (others are skipped with a warning),
 * the routing table with fallback chains, the global concurrency limit, and every upstream call recorded (usage row
 * and the user's daily budget, see ai-usage.ts): each attempt along a chain, transcription steps and speech alike.
 */
export const makeAi = (
  config: AppConfig,
  log: LogShape,
  metrics: MetricsShape,
  usageDb: Kysely<Database>,
): AiSetup => {
  const { env } = config
  const { budget, openAiUrl, geminiUrl, clients } = providerClients(env)
  requireAiKey(env)
  for (const name of ["openai", "gemini"] as const)
    if (!clients[name])
      Effect.runSync(
        log.warn("AI provider skipped: no API key; its routes fall through to the next one", {
          provider: name,
        }),
      )

  const usage = makeUsageRecorder(usageDb, env.APSCHEDULER_TIMEZONE, metrics, log)
  const record = (call: UsageRecord, waitedMs: number) =>
    Effect.sync(() => {
      metrics.aiQueueWait.observe(waitedMs / 1000)
      usage.record(call)
    })

  const slots = Semaphore.makeUnsafe(env.AI_MAX_CONCURRENCY)
  const llm = makeGateway({
    slots,
    inFlight: (delta) => metrics.aiInFlight.inc(delta),
    clients,
    routes: routingTable(
      { dialogue: env.AI_DIALOGUE_CHAIN, judge: env.AI_JUDGE_CHAIN, reviewer: env.AI_REVIEWER_CHAIN },
      env.AI_CASE_CHAINS ?? [],
    ),
    concurrency: env.AI_MAX_CONCURRENCY,
    queuedNoticeMs: 3000,
    record,
    chainFailed: logChainFailed(log),
  })
  const voiceBudget = {
    timeoutMs: env.TRANSCRIBE_TIMEOUT_SEC * 1000,
    maxRetries: env.TRANSCRIBE_MAX_RETRIES,
    backoffMs: env.TRANSCRIBE_RETRY_BACKOFF_SEC * 1000,
  }
  // Each route of a chain is one step, recorded as one upstream call; steps whose provider has no key are left out.
  type Transcribe = (
    bytes: Uint8Array,
    mime: string,
    fileName: string,
    caller: AiCaller,
  ) => Effect.Effect<Transcript, LlmError>
  const chainOf = (chain: ReadonlyArray<Route>): Transcribe | null => {
    const stepOf = (route: Route) => {
      if (route.provider === "openai" && env.OPENAI_API_KEY)
        return openAiTranscriber({
          ...voiceBudget,
          apiKey: env.OPENAI_API_KEY,
          ...openAiUrl,
          models: [route.model],
        })
      if (route.provider === "gemini" && env.GEMINI_API_KEY)
        return geminiTranscriber({
          ...voiceBudget,
          apiKey: env.GEMINI_API_KEY,
          ...geminiUrl,
          model: route.model,
        })
      return null
    }
    const steps = chain.flatMap((route) => {
      const step = stepOf(route)
      return step ? [{ route, step }] : []
    })
    if (steps.length === 0) return null
    return (bytes, mime, fileName, caller) => {
      const started = performance.now()
      const tried: Array<ChainFailure["tried"][number]> = []
      return chainTranscribers(
        steps.map(({ route, step }) => ({
          transcribe: () =>
            metered(
              usage,
              { ...caller, channel: "transcription", provider: route.provider, model: route.model },
              step.transcribe(bytes, mime, fileName),
            ).pipe(
              Effect.tapError((e) =>
                Effect.sync(() => tried.push({ route, reason: e.reason, detail: e.detail })),
              ),
            ),
        })),
      )
        .transcribe(bytes, mime, fileName)
        .pipe(
          // A silent voice note is the learner's, not an outage: only a chain that failed to answer is logged.
          Effect.tapError(() =>
            tried.every((t) => t.detail.endsWith(EMPTY_TRANSCRIPT))
              ? Effect.void
              : logChainFailed(log)({
                  caseId: caller.caseId,
                  channel: "transcription",
                  tried,
                  ms: Math.round(performance.now() - started),
                }),
          ),
        )
    }
  }
  const byCase = new Map(
    (env.AI_CASE_CHAINS ?? [])
      .filter((o) => o.channel === "transcription")
      .map((o) => [o.caseId, chainOf(o.chain)] as const),
  )
  const fallback = chainOf(env.AI_TRANSCRIPTION_CHAIN)
  const transcriber: TranscriberShape = {
    transcribe: (audio, mime, fileName, caller) => {
      const chain = byCase.get(caller.caseId) ?? fallback
      if (!chain) return noTranscriber.transcribe(audio, mime, fileName, caller)
      return slots.withPermits(1)(Effect.flatMap(audio, (bytes) => chain(bytes, mime, fileName, caller)))
    },
  }
  const tts = env.OPENAI_API_KEY
    ? openAiSpeech({ ...budget, apiKey: env.OPENAI_API_KEY, ...openAiUrl })
    : null
  const speech: SpeechShape = tts
    ? {
        synthesize: (text, voice, caller) =>
          slots.withPermits(1)(
            metered(
              usage,
              { ...caller, channel: "speech", provider: "openai", model: DEFAULT_SPEECH_MODEL },
              tts.synthesize(text, voice),
            ),
          ),
      }
    : noSpeech
  return { llm, transcriber, speech, clients, usageWritten: usage.written }
}
