import {
  generateContentResponse,
  googleErrorBody,
  type InlineDataInfo,
  inlineDataOf,
  MODEL_ROUTE,
  modelOfPath,
  promptPayload,
  streamFrames,
  systemInstructionText,
} from "./fake-gemini-format"
import {
  type FaultStatus,
  isRecord,
  jsonResponse,
  MALFORMED_JSON,
  type RecordedRequest,
  sseResponse,
  usageFor,
} from "./fake-http"
import { FakeHttpServer, type RouteContext } from "./fake-http-server"

export type { InlineDataInfo } from "./fake-gemini-format"
export type { Answer, Fault, RecordedRequest, TextAnswer, Usage } from "./fake-http"
export { jsonAnswer } from "./fake-http"

export const DEFAULT_GEMINI_ANSWER = "ok"

/**
 * Fake Gemini Developer API: `POST /{v1|v1beta}/models/{model}:generateContent` and
 * `:streamGenerateContent?alt=sse`. Inline audio is just another part; the scripted text is the transcript.
 */
export class FakeGemini extends FakeHttpServer {
  constructor() {
    super(DEFAULT_GEMINI_ANSWER)
  }

  /** Requests to `models/{model}:{method}` routes, oldest first. */
  modelRequests(): RecordedRequest[] {
    return this.requests.filter((r) => MODEL_ROUTE.test(r.path))
  }

  /** Concatenated text parts of the last model request's `systemInstruction`. */
  lastSystemInstruction(): string | undefined {
    return systemInstructionText(this.modelRequests().at(-1)?.body)
  }

  lastModel(): string | undefined {
    const last = this.modelRequests().at(-1)
    return last ? modelOfPath(last.path) : undefined
  }

  lastGenerationConfig(): Record<string, unknown> | undefined {
    const body = this.modelRequests().at(-1)?.body
    return isRecord(body) && isRecord(body.generationConfig) ? body.generationConfig : undefined
  }

  /** Inline blobs (e.g. voice messages) of the last model request, with their decoded sizes. */
  lastInlineData(): InlineDataInfo[] {
    return inlineDataOf(this.modelRequests().at(-1)?.body)
  }

  protected authenticate(recorded: RecordedRequest): Response | undefined {
    const key = recorded.headers["x-goog-api-key"] ?? recorded.query.key
    return key ? undefined : this.errorResponse(403)
  }

  protected errorResponse(status: FaultStatus | 403, retryAfterSec?: number, message?: string): Response {
    const headers: Record<string, string> =
      retryAfterSec === undefined ? {} : { "retry-after": String(retryAfterSec) }
    return jsonResponse(googleErrorBody(status, retryAfterSec, message), status, headers)
  }

  protected async route({ recorded, fault }: RouteContext): Promise<Response> {
    const match = MODEL_ROUTE.exec(recorded.path)
    const model = modelOfPath(recorded.path)
    const method = match?.[3]
    const streaming = method === "streamGenerateContent"
    if (recorded.method !== "POST" || model === undefined || (!streaming && method !== "generateContent")) {
      const message = `Method not found: ${recorded.method} ${recorded.path} (fake Gemini).`
      return jsonResponse(googleErrorBody(404, undefined, message), 404)
    }
    if (fault?.kind === "malformed") {
      return streaming
        ? sseResponse([`data: ${MALFORMED_JSON}\r\n\r\n`])
        : new Response(MALFORMED_JSON, { headers: { "content-type": "application/json; charset=UTF-8" } })
    }
    const answer = fault?.kind === "empty" ? { text: "" } : await this.nextAnswer(recorded)
    const usage = usageFor(answer, promptPayload(recorded.body))
    if (streaming) return sseResponse(streamFrames(model, answer.text, usage))
    return jsonResponse(generateContentResponse(model, answer.text, usage))
  }
}

export function startFakeGemini(): FakeGemini {
  return new FakeGemini()
}
