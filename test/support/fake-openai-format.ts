// Wire-format builders for the fake OpenAI server (chat completions and the Responses API).
import { isRecord, randomId, splitText, type Usage } from "./fake-http"

export interface ChatRequest {
  model: string
  stream: boolean
  includeUsage: boolean
}

export function readChatRequest(body: unknown): ChatRequest {
  const b = isRecord(body) ? body : {}
  const streamOptions = isRecord(b.stream_options) ? b.stream_options : {}
  return {
    model: typeof b.model === "string" ? b.model : "gpt-fake",
    stream: b.stream === true,
    includeUsage: streamOptions.include_usage === true,
  }
}

function nowSec(): number {
  return Math.floor(Date.now() / 1000)
}

function chatUsage(usage: Usage) {
  return {
    prompt_tokens: usage.input,
    completion_tokens: usage.output,
    total_tokens: usage.input + usage.output,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
  }
}

export function chatCompletion(model: string, content: string, usage: Usage) {
  return {
    id: randomId("chatcmpl-"),
    object: "chat.completion",
    created: nowSec(),
    model,
    choices: [
      {
        index: 0,
        message: { role: "assistant", content, refusal: null, annotations: [] },
        finish_reason: "stop",
        logprobs: null,
      },
    ],
    usage: chatUsage(usage),
    service_tier: "default",
    system_fingerprint: "fp_fake",
  }
}

/** SSE frames of a streamed chat completion, ending with `data: [DONE]`. */
export function chatCompletionFrames(request: ChatRequest, content: string, usage: Usage): string[] {
  const id = randomId("chatcmpl-")
  const created = nowSec()
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) => {
    const base = { id, object: "chat.completion.chunk", created, model: request.model }
    const withUsage = request.includeUsage ? { ...base, usage: null } : base
    return `data: ${JSON.stringify({ ...withUsage, system_fingerprint: "fp_fake", choices, ...extra })}\n\n`
  }
  const choice = (delta: Record<string, unknown>, finishReason: string | null) => ({
    index: 0,
    delta,
    logprobs: null,
    finish_reason: finishReason,
  })
  const frames = [chunk([choice({ role: "assistant", content: "", refusal: null }, null)])]
  for (const piece of splitText(content)) frames.push(chunk([choice({ content: piece }, null)]))
  frames.push(chunk([choice({}, "stop")]))
  if (request.includeUsage) frames.push(chunk([], { usage: chatUsage(usage) }))
  frames.push("data: [DONE]\n\n")
  return frames
}

export function responseObject(body: unknown, text: string, usage: Usage) {
  const b = isRecord(body) ? body : {}
  return {
    id: randomId("resp_"),
    object: "response",
    created_at: nowSec(),
    status: "completed",
    error: null,
    incomplete_details: null,
    instructions: typeof b.instructions === "string" ? b.instructions : null,
    model: typeof b.model === "string" ? b.model : "gpt-fake",
    output: [
      {
        type: "message",
        id: randomId("msg_"),
        status: "completed",
        role: "assistant",
        content: [{ type: "output_text", text, annotations: [], logprobs: [] }],
      },
    ],
    parallel_tool_calls: true,
    temperature: typeof b.temperature === "number" ? b.temperature : 1,
    tool_choice: "auto",
    tools: [],
    top_p: 1,
    text: isRecord(b.text) ? b.text : { format: { type: "text" } },
    usage: {
      input_tokens: usage.input,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: usage.output,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: usage.input + usage.output,
    },
  }
}

const ERROR_SHAPES: Record<number, { type: string; code: string | null; message: string }> = {
  400: { type: "invalid_request_error", code: null, message: "Invalid request (fake)." },
  401: {
    type: "invalid_request_error",
    code: "invalid_api_key",
    message:
      "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.",
  },
  404: {
    type: "invalid_request_error",
    code: "model_not_found",
    message: "The model does not exist or you do not have access to it.",
  },
  429: {
    type: "rate_limit_error",
    code: "rate_limit_exceeded",
    message: "Rate limit reached for requests per min (RPM). Please try again later.",
  },
  500: {
    type: "server_error",
    code: null,
    message: "The server had an error while processing your request. Sorry about that!",
  },
  502: { type: "server_error", code: null, message: "Bad gateway." },
  503: {
    type: "server_error",
    code: null,
    message: "The engine is currently overloaded, please try again later.",
  },
}

export function openAiErrorBody(status: number, message?: string) {
  const shape = ERROR_SHAPES[status] ?? { type: "server_error", code: null, message: "Error (fake)." }
  return { error: { message: message ?? shape.message, type: shape.type, param: null, code: shape.code } }
}
