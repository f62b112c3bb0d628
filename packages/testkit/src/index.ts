export {
  DEFAULT_FAKE_MODELS,
  DEFAULT_REPLY,
  countPromptTokens,
  defaultReply,
  splitIntoPieces,
} from './fake-engine';
export type {
  FakeChatMessage,
  FakeChatRequest,
  FakeEngineFailure,
  FakeEngineOptions,
  FakeEngineServer,
  RecordedCall,
} from './fake-engine';
export {
  FAKE_EMBEDDING_DIMENSIONS,
  countEmbeddingTokens,
  fakeEmbedding,
  toFloat32Base64,
} from './fake-embeddings';
export { FAKE_OLLAMA_VERSION, startFakeOllama } from './fake-ollama';
export type { FakeOllamaOptions } from './fake-ollama';
export { FAKE_NIM_API_KEY, FAKE_NIM_MODEL, startFakeNim } from './fake-nim';
export type { FakeNimOptions, FakeNimServer } from './fake-nim';
export { startFakeOpenAi } from './fake-openai';
export type { FakeOpenAiOptions, FakeOpenAiServer } from './fake-openai';
export { freePort } from './free-port';
export { waitFor } from './wait-for';
export type { WaitForOptions } from './wait-for';
export { DEFAULT_FAKE_RUNPOD_GPUS, FAKE_RUNPOD_API_KEY, startFakeRunPod } from './fake-runpod';
export type {
  FakeRunPodGpu,
  FakeRunPodOptions,
  FakeRunPodPod,
  FakeRunPodRequest,
  FakeRunPodServer,
} from './fake-runpod';
