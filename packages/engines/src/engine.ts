import type { ChatMessage } from '@infernet/protocol';

export type EngineKind = 'ollama' | 'openai-compatible' | 'stub';

export interface ChatStreamRequest {
  model: string;
  messages: readonly ChatMessage[];
  maxTokens: number;
  temperature: number;
}

/** One piece of a streamed answer. The last chunk has `done: true` and, when the engine reports them, token counts. */
export type ChatChunk =
  | { done: false; text: string }
  | {
      done: true;
      reason: string;
      usage: { promptTokens: number; completionTokens: number } | null;
    };

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
  chat(request: ChatStreamRequest, options?: { signal?: AbortSignal }): AsyncIterable<ChatChunk>;
  listModels(options?: { signal?: AbortSignal }): Promise<EngineModel[]>;
  health(options?: { signal?: AbortSignal }): Promise<EngineHealth>;
}
