import { Layer } from "effect"
import { makeOpenAiClient, type OpenAiClientOptions } from "../../src/providers/openai"
import { Llm, type LlmChannel, type LlmShape } from "../../src/services/llm"

// A one-provider Llm over the OpenAI client, for the provider tests (the app builds its Llm in ai-setup.ts).

export interface OpenAiOptions extends OpenAiClientOptions {
  readonly models: Record<LlmChannel, string>
}

export const makeOpenAiLlm = (options: OpenAiOptions): LlmShape => {
  const client = makeOpenAiClient(options)
  return { complete: (request) => client.complete(options.models[request.channel], request) }
}

export const OpenAiLlm = {
  /** Build only when an API key is configured; otherwise provide `noProviderLlm`. */
  layer: (options: OpenAiOptions): Layer.Layer<Llm> => Layer.sync(Llm, () => makeOpenAiLlm(options)),
}
