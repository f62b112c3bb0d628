import { DEMO_ENGINE_LABEL, InfernetError } from '@infernet/protocol';
import { abortableDelay } from './abortable-delay';
import { countWords } from './count-words';
import type {
  ChatChunk,
  ChatStreamRequest,
  EmbedRequest,
  EmbedResult,
  Engine,
  EngineHealth,
  EngineModel,
} from './engine';
import { engineFailure } from './engine-error';

export const DEMO_MODEL = 'demo';

/** The stub's answer says what it is, so a demo transcript can never pass for model output. */
export const DEMO_REPLY =
  'This is the Infernet demo engine. No language model ran: this canned answer only shows ' +
  'the path from request to streamed tokens. Connect Ollama or an OpenAI-compatible server ' +
  'for real answers.';

/** The length of the stub's vectors: small, because they carry no meaning. */
export const DEMO_EMBEDDING_DIMENSIONS = 16;

/**
 * The stub's vector for a text: float32 values in [-1, 1) from a hash of the
 * text (FNV-1a), so the same text always gets the same vector. It is not an
 * embedding: similar texts do not get similar vectors.
 */
export function demoEmbedding(text: string, dimensions = DEMO_EMBEDDING_DIMENSIONS): number[] {
  return Array.from({ length: dimensions }, (_, index) => {
    let hash = 0x811c9dc5;
    for (const character of `${index}:${text}`) {
      hash = Math.imul(hash ^ (character.codePointAt(0) ?? 0), 0x01000193) >>> 0;
    }
    return Math.fround(hash / 2 ** 31 - 1);
  });
}

export interface StubEngineOptions {
  /** Model names the stub claims to serve. Defaults to `['demo']`. */
  models?: string[];
  /** The pieces to stream. Defaults to {@link DEMO_REPLY} split into words. */
  tokens?: string[];
  /** Milliseconds before each piece, to make the demo look like a stream. Defaults to 0. */
  tokenDelayMs?: number;
}

/**
 * A deterministic engine for tests and the labelled demo only. Its label is
 * {@link DEMO_ENGINE_LABEL}, which consumers see in every `meta` event.
 *
 * @example
 * const engine = createStubEngine({ tokenDelayMs: 30 });
 */
export function createStubEngine(options: StubEngineOptions = {}): Engine {
  const { models = [DEMO_MODEL], tokenDelayMs = 0 } = options;
  const tokens = options.tokens ?? DEMO_REPLY.match(/\S+\s*/g) ?? [];
  const context = { engine: DEMO_ENGINE_LABEL, url: 'stub:' };

  async function* chat(
    request: ChatStreamRequest,
    { signal }: { signal?: AbortSignal } = {},
  ): AsyncGenerator<ChatChunk> {
    signal?.throwIfAborted();
    if (!models.includes(request.model)) {
      throw engineFailure(
        context,
        `no model "${request.model}"; the demo engine serves ${models.join(', ')}`,
      );
    }
    const pieces = tokens.slice(0, Math.max(request.maxTokens, 0));
    for (const piece of pieces) {
      if (tokenDelayMs > 0) await abortableDelay(tokenDelayMs, signal);
      signal?.throwIfAborted();
      yield { done: false, text: piece };
    }
    yield {
      done: true,
      reason: pieces.length < tokens.length ? 'length' : 'stop',
      usage: { promptTokens: countWords(request.messages), completionTokens: pieces.length },
    };
  }

  async function embed(
    request: EmbedRequest,
    { signal }: { signal?: AbortSignal } = {},
  ): Promise<EmbedResult> {
    signal?.throwIfAborted();
    if (!models.includes(request.model)) {
      throw engineFailure(
        context,
        `no model "${request.model}"; the demo engine serves ${models.join(', ')}`,
      );
    }
    return {
      vectors: request.input.map((text) => demoEmbedding(text)),
      promptTokens: countWords(request.input.map((content) => ({ role: 'user', content }))),
    };
  }

  async function listModels(): Promise<EngineModel[]> {
    return models.map((name) => ({ name, sizeBytes: null }));
  }

  async function health(): Promise<EngineHealth> {
    return { ok: true, detail: 'demo engine: canned answers, no model runs' };
  }

  const cannot = (action: string) =>
    Promise.reject(
      new InfernetError(
        'BAD_REQUEST',
        `The demo engine has no models to ${action}: use Ollama (\`--engine ollama\`) to pull real ones.`,
      ),
    );

  return {
    kind: 'stub',
    label: DEMO_ENGINE_LABEL,
    chat,
    embed,
    listModels,
    pull: () => cannot('pull'),
    remove: () => cannot('remove'),
    health,
  };
}
