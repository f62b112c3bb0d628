import type { ChatMessage } from '@infernet/protocol';

export type EngineKind = 'ollama' | 'openai-compatible' | 'stub';

export interface ChatStreamRequest {
  model: string;
  messages: readonly ChatMessage[];
  maxTokens: number;
  temperature: number;
  /** Nucleus sampling, (0, 1]; the engine's default when absent. */
  topP?: number;
  /** Sequences that end the answer. */
  stop?: readonly string[];
  seed?: number;
}

/** One piece of a streamed answer. The last chunk has `done: true` and, when the engine reports them, token counts. */
export type ChatChunk =
  | { done: false; text: string }
  | {
      done: true;
      reason: string;
      usage: { promptTokens: number; completionTokens: number } | null;
    };

export interface EmbedRequest {
  model: string;
  /** The texts to embed; the answer has one vector per text, in the same order. */
  input: readonly string[];
}

export interface EmbedResult {
  vectors: number[][];
  /** The engine's own count of the tokens it read; null when it reported none. */
  promptTokens: number | null;
}

export interface EngineModel {
  name: string;
  /** Bytes on disk when the engine reports it. */
  sizeBytes: number | null;
}

export interface EngineHealth {
  ok: boolean;
  detail: string;
}

/**
 * What a node needs from an inference engine. Adapters wrap the engines'
 * official clients; none of them knows about jobs or the control plane.
 */
export interface Engine {
  readonly kind: EngineKind;
  /** Shown to consumers in `meta` events, e.g. "ollama" or "demo engine". */
  readonly label: string;
  /**
   * Streams the answer. Engine failures reject with `InfernetError('ENGINE_ERROR')`;
   * aborting `signal` stops the stream and the request behind it, and rejects
   * with the signal's reason (an `AbortError` by default), since it is not an
   * engine fault. Breaking out of the loop early also releases the request.
   */
  chat(request: ChatStreamRequest, options?: { signal?: AbortSignal }): AsyncIterable<ChatChunk>;
  /**
   * Embeds each text with `request.model`. Fails like `chat`: ENGINE_ERROR
   * for engine faults (a vector count that does not match the texts is one),
   * the signal's reason on abort.
   */
  embed(request: EmbedRequest, options?: { signal?: AbortSignal }): Promise<EmbedResult>;
  listModels(options?: { signal?: AbortSignal }): Promise<EngineModel[]>;
  /** Resolves `{ ok: false, detail }` when the engine is unreachable; rejects only on abort. */
  health(options?: { signal?: AbortSignal }): Promise<EngineHealth>;
}
