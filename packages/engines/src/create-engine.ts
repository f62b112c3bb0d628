import { InfernetError } from '@infernet/protocol';
import type { Engine, EngineKind } from './engine';
import type { Fetch } from './fetch';
import { createOllamaEngine } from './ollama-engine';
import { createOpenAiCompatibleEngine } from './openai-compatible-engine';
import { createStubEngine } from './stub-engine';

/** The engine part of a node's configuration. */
export interface EngineConfig {
  kind: EngineKind;
  /** Ollama host (default http://127.0.0.1:11434) or the OpenAI base URL (required). */
  url?: string;
  apiKey?: string;
  /** Overrides the label of an openai-compatible engine, e.g. "vllm". */
  label?: string;
}

/**
 * Builds the engine a configuration names.
 *
 * @example
 * const engine = createEngine({ kind: 'openai-compatible', url: 'http://127.0.0.1:8000/v1' });
 */
export function createEngine(config: EngineConfig, options: { fetch?: Fetch } = {}): Engine {
  const { fetch } = options;
  switch (config.kind) {
    case 'ollama':
      return createOllamaEngine({
        ...(config.url === undefined ? {} : { host: config.url }),
        ...(config.apiKey === undefined ? {} : { apiKey: config.apiKey }),
        ...(fetch ? { fetch } : {}),
      });
    case 'openai-compatible':
      if (!config.url) {
        throw new InfernetError(
          'BAD_REQUEST',
          'An openai-compatible engine needs its URL, e.g. http://127.0.0.1:8000/v1 for vLLM ' +
            'or http://127.0.0.1:8080/v1 for llama.cpp server.',
        );
      }
      return createOpenAiCompatibleEngine({
        baseUrl: config.url,
        ...(config.apiKey === undefined ? {} : { apiKey: config.apiKey }),
        ...(config.label === undefined ? {} : { label: config.label }),
        ...(fetch ? { fetch } : {}),
      });
    case 'stub':
      return createStubEngine();
    default: {
      const unknownKind: never = config.kind;
      throw new InfernetError('BAD_REQUEST', `Unknown engine kind "${String(unknownKind)}".`);
    }
  }
}
