export type {
  ChatChunk,
  ChatStreamRequest,
  EmbedRequest,
  EmbedResult,
  Engine,
  EngineHealth,
  EngineKind,
  EngineModel,
  PullOptions,
  PullProgress,
} from './engine';
export type { Fetch } from './fetch';
export { createEngine } from './create-engine';
export { parseParameterCount } from './parameter-count';
export type { EngineConfig } from './create-engine';
export { DEFAULT_OLLAMA_HOST, createOllamaEngine } from './ollama-engine';
export type { OllamaEngineOptions } from './ollama-engine';
export { createOpenAiCompatibleEngine } from './openai-compatible-engine';
export type { OpenAiCompatibleEngineOptions } from './openai-compatible-engine';
export {
  DEMO_EMBEDDING_DIMENSIONS,
  DEMO_MODEL,
  DEMO_REPLY,
  createStubEngine,
  demoEmbedding,
} from './stub-engine';
export type { StubEngineOptions } from './stub-engine';
