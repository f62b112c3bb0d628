import OpenAI from 'openai';
import { InfernetError } from '@infernet/protocol';
import type {
  ChatChunk,
  ChatStreamRequest,
  EmbedRequest,
  EmbedResult,
  Engine,
  EngineHealth,
  EngineModel,
} from './engine';
import { checkVectorCount } from './embed-result';
import { displayUrl, engineFailure, toEngineError } from './engine-error';
import { globalFetch } from './fetch';
import type { Fetch } from './fetch';

export interface OpenAiCompatibleEngineOptions {
  /** The server's OpenAI base URL, e.g. `http://127.0.0.1:8000/v1`; a bare origin gets `/v1` added. */
  baseUrl: string;
  /** Most self-hosted servers need none; the client still sends a placeholder bearer token. */
  apiKey?: string;
  /** Names the server in `meta` events and errors, e.g. "vllm" or "llama.cpp". Defaults to "openai-compatible". */
  label?: string;
  fetch?: Fetch;
  /** Retries of failed requests by the openai client. Defaults to 0: the daemon decides about retrying a job. */
  maxRetries?: number;
  /** Milliseconds before a request times out. Defaults to the openai client's 10 minutes. */
  timeoutMs?: number;
}

/**
 * An {@link Engine} for any server that speaks the OpenAI chat completions
 * API (vLLM, llama.cpp server, SGLang, NVIDIA NIM), through the official
 * `openai` client.
 *
 * @example
 * const engine = createOpenAiCompatibleEngine({ baseUrl: 'http://127.0.0.1:8000/v1', label: 'vllm' });
 * const models = await engine.listModels();
 */
export function createOpenAiCompatibleEngine(options: OpenAiCompatibleEngineOptions): Engine {
  const { apiKey, label = 'openai-compatible', fetch = globalFetch, maxRetries = 0 } = options;
  const baseURL = withApiPath(options.baseUrl);
  const url = displayUrl(baseURL);
  const client = new OpenAI({
    baseURL,
    apiKey: apiKey ?? 'not-needed',
    fetch,
    maxRetries,
    ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
    // Packages never print; errors reach the caller as ENGINE_ERROR instead.
    logLevel: 'off',
  });
  const context = (signal: AbortSignal | undefined) => ({ engine: label, url, signal });

  async function* chat(
    request: ChatStreamRequest,
    { signal }: { signal?: AbortSignal } = {},
  ): AsyncGenerator<ChatChunk> {
    signal?.throwIfAborted();
    let reason: string | null = null;
    let usage: { promptTokens: number; completionTokens: number } | null = null;
    try {
      const stream = await client.chat.completions.create(
        {
          model: request.model,
          messages: request.messages.map(({ role, content }) => ({ role, content })),
          stream: true,
          stream_options: { include_usage: true },
          max_tokens: request.maxTokens,
          temperature: request.temperature,
          ...(request.topP !== undefined ? { top_p: request.topP } : {}),
          ...(request.stop !== undefined ? { stop: [...request.stop] } : {}),
          ...(request.seed !== undefined ? { seed: request.seed } : {}),
        },
        { signal },
      );
      for await (const chunk of stream) {
        const choice = chunk.choices[0];
        const text = choice?.delta?.content;
        if (text) yield { done: false, text };
        if (choice?.finish_reason) reason = choice.finish_reason;
        if (chunk.usage) {
          usage = {
            promptTokens: chunk.usage.prompt_tokens,
            completionTokens: chunk.usage.completion_tokens,
          };
        }
      }
    } catch (error) {
      throw toEngineError(error, context(signal));
    }
    // The openai client ends a stream quietly on abort; the caller must still see the abort.
    signal?.throwIfAborted();
    // A stream cut off before its last chunk must not pass for a finished answer.
    if (reason === null)
      throw engineFailure(context(signal), 'stream ended without a finish reason');
    yield { done: true, reason, usage };
  }

  /**
   * `POST /v1/embeddings`. Asks for floats explicitly: the openai client
   * would otherwise ask for base64, which not every compatible server speaks.
   */
  async function embed(
    request: EmbedRequest,
    { signal }: { signal?: AbortSignal } = {},
  ): Promise<EmbedResult> {
    signal?.throwIfAborted();
    try {
      const response = await client.embeddings.create(
        { model: request.model, input: [...request.input], encoding_format: 'float' },
        { signal },
      );
      // Servers answer in input order with `index` set; sorting keeps any that do not honest.
      const vectors = [...response.data]
        .sort((left, right) => left.index - right.index)
        .map((item) => item.embedding);
      const promptTokens = response.usage?.prompt_tokens ?? null;
      return checkVectorCount({ vectors, promptTokens }, request, context(signal));
    } catch (error) {
      throw toEngineError(error, context(signal));
    }
  }

  async function listModels({ signal }: { signal?: AbortSignal } = {}): Promise<EngineModel[]> {
    try {
      const models: EngineModel[] = [];
      for await (const model of client.models.list({ signal })) {
        models.push({ name: model.id, sizeBytes: null });
      }
      return models;
    } catch (error) {
      throw toEngineError(error, context(signal));
    }
  }

  async function health({ signal }: { signal?: AbortSignal } = {}): Promise<EngineHealth> {
    try {
      const models = await listModels({ ...(signal ? { signal } : {}) });
      return { ok: true, detail: `${label} at ${url}: ${models.length} models` };
    } catch (error) {
      signal?.throwIfAborted();
      return { ok: false, detail: error instanceof Error ? error.message : String(error) };
    }
  }

  /** An OpenAI-compatible server loads its model when it starts; there is no API to fetch another. */
  const cannot = (action: string, model: string) =>
    Promise.reject(
      new InfernetError(
        'BAD_REQUEST',
        `${label} at ${url} is an OpenAI-compatible server, which cannot ${action} models through its API: ` +
          `${action === 'pull' ? 'start it with' : 'restart it without'} ${model} instead (for vLLM: \`vllm serve ${model}\`).`,
      ),
    );

  return {
    kind: 'openai-compatible',
    label,
    chat,
    embed,
    listModels,
    pull: (model) => cannot('pull', model),
    remove: (model) => cannot('remove', model),
    health,
  };
}

/** vLLM, llama.cpp and SGLang all serve the API under `/v1`; operators often give only the origin. */
function withApiPath(baseUrl: string): string {
  const trimmed = baseUrl.replace(/\/+$/, '');
  try {
    return new URL(trimmed).pathname === '/' ? `${trimmed}/v1` : trimmed;
  } catch {
    return trimmed;
  }
}
