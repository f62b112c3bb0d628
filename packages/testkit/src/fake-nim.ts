import { startFakeOpenAi, type FakeOpenAiOptions, type FakeOpenAiServer } from './fake-openai';

/** A model from NVIDIA's hosted catalogue, named as NIM names them (`vendor/model`). */
export const FAKE_NIM_MODEL = 'meta/llama-3.1-8b-instruct';
/** The key the fake accepts; anything else gets OpenAI's 401, as the real NIM answers. */
export const FAKE_NIM_API_KEY = 'nvapi-test-only-0123456789';

export interface FakeNimOptions extends Omit<FakeOpenAiOptions, 'apiKey'> {
  /** Default {@link FAKE_NIM_API_KEY}. */
  apiKey?: string;
}

export interface FakeNimServer extends FakeOpenAiServer {
  readonly apiKey: string;
}

/**
 * Starts a stand-in for NVIDIA NIM's hosted API (`integrate.api.nvidia.com/v1`)
 * so that tests never call the real one: OpenAI's wire format for
 * `POST /v1/chat/completions`, streaming (with usage in a last chunk when
 * `stream_options.include_usage` is set) and not, and `GET /v1/models`,
 * with every request checked for `Authorization: Bearer <apiKey>`.
 *
 * @example
 * const nim = await startFakeNim();
 * const app = await createTestApp({ nim: { apiUrl: nim.baseUrl, apiKey: nim.apiKey } });
 * await nim.close();
 */
export async function startFakeNim(options: FakeNimOptions = {}): Promise<FakeNimServer> {
  const apiKey = options.apiKey ?? FAKE_NIM_API_KEY;
  const server = await startFakeOpenAi({
    models: [FAKE_NIM_MODEL],
    ...options,
    apiKey,
  });
  return Object.assign(server, { apiKey });
}
