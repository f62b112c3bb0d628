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
  /** Parameters, e.g. 3_200_000_000 for Ollama's "3.2B"; absent when the engine does not say. */
  parameterCount?: number;
  /** The weights' quantization as the engine names it, e.g. "Q4_K_M" or "F16". */
  quantization?: string;
}

/** One progress report of a pull, as Ollama streams them. */
export interface PullProgress {
  /** e.g. "pulling manifest", "pulling 6a0746a1ec1a", "verifying sha256 digest", "success". */
  status: string;
  digest?: string;
  /** Bytes of the layer being downloaded, when known. */
  total?: number;
  completed?: number;
}

export interface PullOptions {
  onProgress?: (progress: PullProgress) => void;
  signal?: AbortSignal;
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
  /**
   * Downloads a model into the engine, reporting progress as it goes.
   * Engines that cannot pull (OpenAI-compatible servers load their model
   * at start) reject with `InfernetError('BAD_REQUEST')` saying so.
   */
  pull(model: string, options?: PullOptions): Promise<void>;
  /** Deletes a pulled model; rejects like `pull` where the engine cannot. */
  remove(model: string, options?: { signal?: AbortSignal }): Promise<void>;
  /** Resolves `{ ok: false, detail }` when the engine is unreachable; rejects only on abort. */
  health(options?: { signal?: AbortSignal }): Promise<EngineHealth>;
}
