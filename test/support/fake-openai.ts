import {
  type FaultStatus,
  isRecord,
  jsonResponse,
  MALFORMED_JSON,
  type RecordedRequest,
  randomId,
  sseResponse,
  type TextAnswer,
  usageFor,
} from "./fake-http"
import { FakeHttpServer, type RouteContext } from "./fake-http-server"
import {
  chatCompletion,
  chatCompletionFrames,
  openAiErrorBody,
  readChatRequest,
  responseObject,
} from "./fake-openai-format"

export type { Answer, Fault, RecordedFile, RecordedRequest, TextAnswer, Usage } from "./fake-http"
export { jsonAnswer } from "./fake-http"

export const DEFAULT_OPENAI_ANSWER = "ok"
export const DEFAULT_TRANSCRIPTION = "тестовая расшифровка"

/** Tiny stand-ins for synthesized audio; only the magic bytes matter to callers. */
const SPEECH_BYTES: Record<string, { type: string; magic: string }> = {
  opus: { type: "audio/ogg", magic: "OggS" },
  mp3: { type: "audio/mpeg", magic: "ID3" },
  wav: { type: "audio/wav", magic: "RIFF" },
  aac: { type: "audio/aac", magic: "\xff\xf1" },
  flac: { type: "audio/flac", magic: "fLaC" },
  pcm: { type: "audio/pcm", magic: "\0\0" },
}

function speechBytes(magic: string): Uint8Array {
  const bytes = new Uint8Array(64)
  bytes.set(Array.from(magic, (c) => c.charCodeAt(0)))
  return bytes
}

/**
 * Fake OpenAI API: `/v1/chat/completions` (plain and SSE), `/v1/responses` (non-streaming),
 * `/v1/audio/transcriptions` (multipart) and `/v1/audio/speech` (binary).
 */
export class FakeOpenAi extends FakeHttpServer {
  private transcriptions: string[] = []

  constructor() {
    super(DEFAULT_OPENAI_ANSWER)
  }

  /** Transcripts consumed in order by `/v1/audio/transcriptions`, separate from `script()`. */
  scriptTranscription(...texts: string[]): void {
    this.transcriptions.push(...texts)
  }

  override reset(): void {
    super.reset()
    this.transcriptions = []
  }

  protected authenticate(recorded: RecordedRequest): Response | undefined {
    const auth = recorded.headers.authorization ?? ""
    if (/^Bearer \S+/.test(auth)) return undefined
    return this.errorResponse(
      401,
      undefined,
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
    )
  }

  protected errorResponse(status: FaultStatus | 403, retryAfterSec?: number, message?: string): Response {
    const headers: Record<string, string> = { "x-request-id": randomId("req_") }
    if (retryAfterSec !== undefined) {
      headers["retry-after"] = String(retryAfterSec)
      headers["retry-after-ms"] = String(Math.round(retryAfterSec * 1000))
    }
    return jsonResponse(openAiErrorBody(status, message), status, headers)
  }

  protected async route(context: RouteContext): Promise<Response> {
    const { recorded } = context
    const endpoint = `${recorded.method} ${recorded.path}`
    switch (endpoint) {
      case "POST /v1/chat/completions":
        return this.chat(context)
      case "POST /v1/responses":
        return this.responses(context)
      case "POST /v1/audio/transcriptions":
        return this.transcription(context)
      case "POST /v1/audio/speech":
        return this.speech(context)
      default:
        return jsonResponse(
          {
            error: {
              message: `Invalid URL (${endpoint})`,
              type: "invalid_request_error",
              param: null,
              code: null,
            },
          },
          404,
        )
    }
  }

  private async textAnswer({ recorded, fault }: RouteContext): Promise<TextAnswer> {
    if (fault?.kind === "empty") return { text: "" }
    return this.nextAnswer(recorded)
  }

  private async chat(context: RouteContext): Promise<Response> {
    const body = context.recorded.body
    const request = readChatRequest(body)
    if (context.fault?.kind === "malformed") {
      return request.stream ? sseResponse([`data: ${MALFORMED_JSON}\n\n`]) : malformedJson()
    }
    const answer = await this.textAnswer(context)
    const usage = usageFor(answer, isRecord(body) ? body.messages : body)
    if (request.stream)
      return sseResponse(chatCompletionFrames(request, answer.text, usage), requestIdHeader())
    return jsonResponse(chatCompletion(request.model, answer.text, usage), 200, requestIdHeader())
  }

  private async responses(context: RouteContext): Promise<Response> {
    const body = context.recorded.body
    if (isRecord(body) && body.stream === true) {
      return this.errorResponse(400, undefined, "The fake OpenAI server does not stream the Responses API.")
    }
    if (context.fault?.kind === "malformed") return malformedJson()
    const answer = await this.textAnswer(context)
    const usage = usageFor(answer, isRecord(body) ? [body.instructions, body.input] : body)
    return jsonResponse(responseObject(body, answer.text, usage), 200, requestIdHeader())
  }

  private transcription({ recorded, fault }: RouteContext): Response {
    const fields = isRecord(recorded.body) ? recorded.body : {}
    const format = typeof fields.response_format === "string" ? fields.response_format : "json"
    if (fault?.kind === "malformed") return malformedJson()
    const text = fault?.kind === "empty" ? "" : (this.transcriptions.shift() ?? DEFAULT_TRANSCRIPTION)
    if (format === "text" || format === "srt" || format === "vtt") {
      return new Response(text, {
        headers: { "content-type": "text/plain; charset=utf-8", ...requestIdHeader() },
      })
    }
    if (format === "verbose_json") {
      const language = typeof fields.language === "string" ? fields.language : "russian"
      return jsonResponse({ task: "transcribe", language, duration: 1.5, text, segments: [] })
    }
    return jsonResponse({ text }, 200, requestIdHeader())
  }

  private speech({ recorded, fault }: RouteContext): Response {
    const body = isRecord(recorded.body) ? recorded.body : {}
    const format = typeof body.response_format === "string" ? body.response_format : "mp3"
    const audio = SPEECH_BYTES[format] ?? { type: "application/octet-stream", magic: "" }
    const bytes = fault === undefined ? speechBytes(audio.magic) : new Uint8Array(0)
    return new Response(bytes, { headers: { "content-type": audio.type, ...requestIdHeader() } })
  }
}

function requestIdHeader(): Record<string, string> {
  return { "x-request-id": randomId("req_") }
}

function malformedJson(): Response {
  return new Response(MALFORMED_JSON, { headers: { "content-type": "application/json" } })
}

export function startFakeOpenAi(): FakeOpenAi {
  return new FakeOpenAi()
}
