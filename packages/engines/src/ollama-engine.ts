import { Ollama } from 'ollama';
import type { AbortableAsyncIterator, ChatResponse, ProgressResponse } from 'ollama';
import type {
  ChatChunk,
  ChatStreamRequest,
  EmbedRequest,
  EmbedResult,
  Engine,
  EngineHealth,
  EngineModel,
  PullOptions,
} from './engine';
import { checkVectorCount } from './embed-result';
import { displayUrl, toEngineError } from './engine-error';
import { fetchWithSignal, globalFetch } from './fetch';
import type { Fetch } from './fetch';
import { parseParameterCount } from './parameter-count';

export const DEFAULT_OLLAMA_HOST = 'http://127.0.0.1:11434';

export interface OllamaEngineOptions {
  /** Where Ollama listens. Defaults to {@link DEFAULT_OLLAMA_HOST}. */
  host?: string;
  /** Sent as `Authorization: Bearer …`, for an Ollama behind an authenticating proxy. */
  apiKey?: string;
  fetch?: Fetch;
}

/**
 * An {@link Engine} backed by a local or remote Ollama server, through the
 * official `ollama` client.
 *
 * @example
 * const engine = createOllamaEngine({ host: 'http://127.0.0.1:11434' });
 * for await (const chunk of engine.chat({ model: 'llama3.2', messages, maxTokens: 256, temperature: 0.7 })) {
 *   if (!chunk.done) process.stdout.write(chunk.text);
 * }
 */
export function createOllamaEngine(options: OllamaEngineOptions = {}): Engine {
  const { host = DEFAULT_OLLAMA_HOST, apiKey, fetch = globalFetch } = options;
  const url = displayUrl(host);
  const headers = apiKey === undefined ? undefined : { authorization: `Bearer ${apiKey}` };

  // A client per call is cheap (it only stores config) and lets each call carry its own signal.
  const clientFor = (signal: AbortSignal | undefined): Ollama =>
    new Ollama({ host, fetch: fetchWithSignal(fetch, signal), ...(headers ? { headers } : {}) });
  const context = (signal: AbortSignal | undefined) => ({ engine: 'ollama', url, signal });

  async function* chat(
    request: ChatStreamRequest,
    { signal }: { signal?: AbortSignal } = {},
  ): AsyncGenerator<ChatChunk> {
    signal?.throwIfAborted();
    let stream: AbortableAsyncIterator<ChatResponse> | undefined;
    try {
      stream = await clientFor(signal).chat({
        model: request.model,
        messages: request.messages.map(({ role, content }) => ({ role, content })),
        stream: true,
        options: {
          num_predict: request.maxTokens,
          temperature: request.temperature,
          ...(request.topP !== undefined ? { top_p: request.topP } : {}),
          ...(request.stop !== undefined ? { stop: [...request.stop] } : {}),
          ...(request.seed !== undefined ? { seed: request.seed } : {}),
        },
      });
      for await (const part of stream) {
        if (part.message?.content) yield { done: false, text: part.message.content };
        if (part.done) {
          yield { done: true, reason: part.done_reason || 'stop', usage: usageOf(part) };
          return;
        }
      }
    } catch (error) {
      throw toEngineError(error, context(signal));
    } finally {
      // Releases the connection when the consumer stops early; harmless after a finished stream.
      stream?.abort();
    }
  }

  /** `POST /api/embed`: all texts in one call; `prompt_eval_count` is the tokens Ollama read. */
  async function embed(
    request: EmbedRequest,
    { signal }: { signal?: AbortSignal } = {},
  ): Promise<EmbedResult> {
    signal?.throwIfAborted();
    try {
      const response = await clientFor(signal).embed({
        model: request.model,
        input: [...request.input],
      });
      const promptTokens =
        typeof response.prompt_eval_count === 'number' ? response.prompt_eval_count : null;
      return checkVectorCount(
        { vectors: response.embeddings, promptTokens },
        request,
        context(signal),
      );
    } catch (error) {
      throw toEngineError(error, context(signal));
    }
  }

  async function listModels({ signal }: { signal?: AbortSignal } = {}): Promise<EngineModel[]> {
    try {
      const { models } = await clientFor(signal).list();
      return models.map((model) => {
        const parameterCount = parseParameterCount(model.details?.parameter_size);
        const quantization = model.details?.quantization_level;
        return {
          name: model.name,
          sizeBytes: typeof model.size === 'number' ? model.size : null,
          ...(parameterCount === undefined ? {} : { parameterCount }),
          ...(quantization ? { quantization } : {}),
        };
      });
    } catch (error) {
      throw toEngineError(error, context(signal));
    }
  }

  /** `POST /api/pull`, streamed: Ollama sends a progress line per status and per chunk of each layer. */
  async function pull(model: string, { onProgress, signal }: PullOptions = {}): Promise<void> {
    signal?.throwIfAborted();
    let stream: AbortableAsyncIterator<ProgressResponse> | undefined;
    try {
      stream = await clientFor(signal).pull({ model, stream: true });
      let succeeded = false;
      // The client throws on an `{"error": …}` line, which is how Ollama reports an unknown model.
      for await (const part of stream) {
        onProgress?.({
          status: part.status,
          ...(part.digest ? { digest: part.digest } : {}),
          ...(typeof part.total === 'number' ? { total: part.total } : {}),
          ...(typeof part.completed === 'number' ? { completed: part.completed } : {}),
        });
        if (part.status === 'success') succeeded = true;
      }
      if (!succeeded) throw new Error(`the pull of ${model} ended before "success"`);
    } catch (error) {
      throw toEngineError(error, context(signal));
    } finally {
      stream?.abort();
    }
  }

  /** `DELETE /api/delete`. */
  async function remove(model: string, { signal }: { signal?: AbortSignal } = {}): Promise<void> {
    signal?.throwIfAborted();
    try {
      await clientFor(signal).delete({ model });
    } catch (error) {
      throw toEngineError(error, context(signal));
    }
  }

  async function health({ signal }: { signal?: AbortSignal } = {}): Promise<EngineHealth> {
    const client = clientFor(signal);
    try {
      const { version } = await client.version();
      return { ok: true, detail: `ollama ${version} at ${url}` };
    } catch (versionError) {
      signal?.throwIfAborted();
      // Some proxies in front of Ollama pass only the model routes through.
      try {
        const { models } = await client.list();
        return { ok: true, detail: `ollama at ${url}: ${models.length} models` };
      } catch {
        signal?.throwIfAborted();
        return { ok: false, detail: messageOf(toEngineError(versionError, context(signal))) };
      }
    }
  }

  return { kind: 'ollama', label: 'ollama', chat, embed, listModels, pull, remove, health };
}

/**
 * Ollama reports counts only on the final chunk. Some versions omit
 * `prompt_eval_count` when the prompt was served from cache; we then report 0
 * prompt tokens rather than lose the completion count as well.
 */
function usageOf(part: ChatResponse): { promptTokens: number; completionTokens: number } | null {
  if (typeof part.eval_count !== 'number') return null;
  return {
    promptTokens: typeof part.prompt_eval_count === 'number' ? part.prompt_eval_count : 0,
    completionTokens: part.eval_count,
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
