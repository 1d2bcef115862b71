// Wire-format builders and request readers for the fake Gemini API server.
import { isRecord, randomId, splitText, type Usage } from "./fake-http"

/** `/{version}/models/{model}:{method}` — version is whatever the SDK sends (v1 or v1beta). */
export const MODEL_ROUTE = /^\/(v1beta|v1alpha|v1)\/models\/([^/:]+):([A-Za-z]+)$/

export interface InlineDataInfo {
  mimeType: string
  /** Decoded size in bytes. */
  size: number
}

export function modelOfPath(path: string): string | undefined {
  const model = MODEL_ROUTE.exec(path)?.[2]
  return model === undefined ? undefined : decodeURIComponent(model)
}

function partsOf(content: unknown): unknown[] {
  return isRecord(content) && Array.isArray(content.parts) ? content.parts : []
}

export function systemInstructionText(body: unknown): string | undefined {
  if (!isRecord(body) || body.systemInstruction === undefined) return undefined
  const texts = partsOf(body.systemInstruction).flatMap((p) =>
    isRecord(p) && typeof p.text === "string" ? [p.text] : [],
  )
  return texts.join("")
}

export function inlineDataOf(body: unknown): InlineDataInfo[] {
  const contents = isRecord(body) && Array.isArray(body.contents) ? body.contents : []
  return contents.flatMap(partsOf).flatMap((part) => {
    const inline = isRecord(part) ? part.inlineData : undefined
    if (!isRecord(inline) || typeof inline.data !== "string") return []
    const mimeType = typeof inline.mimeType === "string" ? inline.mimeType : ""
    return [{ mimeType, size: Buffer.from(inline.data, "base64").length }]
  })
}

/** What the prompt "costs": contents plus system instruction, without inline blobs inflating it. */
export function promptPayload(body: unknown): unknown {
  if (!isRecord(body)) return body
  const texts = [body.systemInstruction, ...(Array.isArray(body.contents) ? body.contents : [])]
    .flatMap(partsOf)
    .flatMap((p) => (isRecord(p) && typeof p.text === "string" ? [p.text] : []))
  return texts.join("\n")
}

function usageMetadata(usage: Usage) {
  return {
    promptTokenCount: usage.input,
    candidatesTokenCount: usage.output,
    totalTokenCount: usage.input + usage.output,
    promptTokensDetails: [{ modality: "TEXT", tokenCount: usage.input }],
  }
}

export function generateContentResponse(model: string, text: string, usage: Usage) {
  return {
    candidates: [{ content: { role: "model", parts: [{ text }] }, finishReason: "STOP", index: 0 }],
    usageMetadata: usageMetadata(usage),
    modelVersion: model,
    responseId: randomId(""),
  }
}

/** SSE frames (`data: <json>\r\n\r\n`); only the last carries finishReason and full usage. */
export function streamFrames(model: string, text: string, usage: Usage): string[] {
  const responseId = randomId("")
  const pieces = splitText(text)
  const chunks = pieces.length > 0 ? pieces : [""]
  return chunks.map((piece, i) => {
    const last = i === chunks.length - 1
    const candidate = { content: { role: "model", parts: [{ text: piece }] }, index: 0 }
    const frame = {
      candidates: [last ? { ...candidate, finishReason: "STOP" } : candidate],
      usageMetadata: last
        ? usageMetadata(usage)
        : { promptTokenCount: usage.input, totalTokenCount: usage.input },
      modelVersion: model,
      responseId,
    }
    return `data: ${JSON.stringify(frame)}\r\n\r\n`
  })
}

const ERRORS: Record<number, { status: string; message: string }> = {
  400: { status: "INVALID_ARGUMENT", message: "Request contains an invalid argument." },
  401: { status: "UNAUTHENTICATED", message: "Request had invalid authentication credentials." },
  403: {
    status: "PERMISSION_DENIED",
    message:
      "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
  },
  404: { status: "NOT_FOUND", message: "Requested entity was not found." },
  429: { status: "RESOURCE_EXHAUSTED", message: "Resource has been exhausted (e.g. check quota)." },
  500: {
    status: "INTERNAL",
    message:
      "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting",
  },
  502: { status: "UNAVAILABLE", message: "The service is currently unavailable." },
  503: { status: "UNAVAILABLE", message: "The model is overloaded. Please try again later." },
}

export function googleErrorBody(code: number, retryAfterSec?: number, message?: string) {
  const shape = ERRORS[code] ?? { status: "UNKNOWN", message: "Unknown error (fake)." }
  const details =
    retryAfterSec === undefined
      ? undefined
      : [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: `${retryAfterSec}s` }]
  return {
    error: { code, message: message ?? shape.message, status: shape.status, ...(details ? { details } : {}) },
  }
}
