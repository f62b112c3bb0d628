import { InfernetError } from '@infernet/protocol';
import type { ChatMessage } from '@infernet/protocol';
import {
  DEFAULT_REPLY,
  FAKE_OLLAMA_VERSION,
  countPromptTokens,
  freePort,
  startFakeOllama,
  waitFor,
} from '@infernet/testkit';
import type { FakeEngineServer } from '@infernet/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatChunk, ChatStreamRequest, PullProgress } from './engine';
import { createOllamaEngine } from './ollama-engine';

const messages: ChatMessage[] = [
  { role: 'system', content: 'Answer briefly.' },
  { role: 'user', content: 'What does the fox do?' },
];
const request: ChatStreamRequest = {
  model: 'llama3.2',
  messages,
  maxTokens: 64,
  temperature: 0.2,
};

let fake: FakeEngineServer | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function collect(stream: AsyncIterable<ChatChunk>): Promise<ChatChunk[]> {
  const chunks: ChatChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

describe('createOllamaEngine', () => {
  it('passes top_p, stop and seed to Ollama as model options', async () => {
    fake = await startFakeOllama({ models: ['llama3.2:latest'] });
    const engine = createOllamaEngine({ host: fake.url });
    await collect(engine.chat({ ...request, topP: 0.5, stop: ['END'], seed: 42 }));
    expect(fake.requests.at(-1)).toMatchObject({
      options: { num_predict: 64, temperature: 0.2, top_p: 0.5, stop: ['END'], seed: 42 },
    });
  });

  it('streams tokens in order and reports the final chunk’s counts as usage', async () => {
    fake = await startFakeOllama({ models: ['llama3.2:latest'] });
    const engine = createOllamaEngine({ host: fake.url });
    const chunks = await collect(engine.chat(request));
    const last = chunks.at(-1);
    const texts = chunks.flatMap((chunk) => (chunk.done ? [] : [chunk.text]));
    expect(texts.join('')).toBe(DEFAULT_REPLY);
    expect(last).toEqual({
      done: true,
      reason: 'stop',
      usage: { promptTokens: countPromptTokens(messages), completionTokens: texts.length },
    });
    expect(fake.requests[0]).toMatchObject({
      model: 'llama3.2',
      messages,
      stream: true,
      options: { num_predict: 64, temperature: 0.2 },
    });
    expect(engine).toMatchObject({ kind: 'ollama', label: 'ollama' });
  });

  it('passes the token limit on and reports a length stop', async () => {
    fake = await startFakeOllama({ models: ['llama3.2:latest'] });
    const engine = createOllamaEngine({ host: fake.url });
    const chunks = await collect(engine.chat({ ...request, maxTokens: 3 }));
    expect(chunks.filter((chunk) => !chunk.done)).toHaveLength(3);
    expect(chunks.at(-1)).toMatchObject({ done: true, reason: 'length' });
  });

  it('lists the pulled models with their sizes', async () => {
    fake = await startFakeOllama({ models: ['llama3.2:latest', 'qwen2.5:0.5b'] });
    const models = await createOllamaEngine({ host: fake.url }).listModels();
    expect(models).toEqual([
      {
        name: 'llama3.2:latest',
        sizeBytes: 1_000_000_000,
        parameterCount: 3_200_000_000,
        quantization: 'Q4_K_M',
      },
      {
        name: 'qwen2.5:0.5b',
        sizeBytes: 1_000_000_001,
        parameterCount: 500_000_000,
        quantization: 'Q4_K_M',
      },
    ]);
  });

  it('pulls a model, reporting each progress line, and then lists it', async () => {
    fake = await startFakeOllama({ models: ['llama3.2:latest'] });
    const engine = createOllamaEngine({ host: fake.url });
    const progress: PullProgress[] = [];
    await engine.pull('qwen2.5:0.5b', { onProgress: (update) => progress.push(update) });
    expect(progress[0]).toEqual({ status: 'pulling manifest' });
    expect(progress.at(-1)).toEqual({ status: 'success' });
    const download = progress.filter((update) => update.total !== undefined);
    expect(download.map((update) => update.completed! / update.total!)).toEqual([
      0, 0.25, 0.5, 0.75, 1,
    ]);
    expect(download[0]!.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(fake.calls.find((call) => call.path === '/api/pull')?.body).toEqual({
      name: 'qwen2.5:0.5b',
      stream: true,
    });
    expect((await engine.listModels()).map((model) => model.name)).toEqual([
      'llama3.2:latest',
      'qwen2.5:0.5b',
    ]);
  });

  it('fails a pull the registry refuses with the engine’s own message', async () => {
    fake = await startFakeOllama({ registry: ['llama3.2:1b'] });
    const engine = createOllamaEngine({ host: fake.url });
    await expect(engine.pull('no-such-model')).rejects.toMatchObject({
      code: 'ENGINE_ERROR',
      message: expect.stringContaining('pull model manifest: file does not exist'),
    });
  });

  it('removes a model, and names one that is not there', async () => {
    fake = await startFakeOllama({ models: ['llama3.2:latest', 'qwen2.5:0.5b'] });
    const engine = createOllamaEngine({ host: fake.url });
    await engine.remove('llama3.2');
    expect((await engine.listModels()).map((model) => model.name)).toEqual(['qwen2.5:0.5b']);
    await expect(engine.remove('llama3.2')).rejects.toMatchObject({
      code: 'ENGINE_ERROR',
      message: expect.stringContaining("model 'llama3.2' not found"),
    });
  });

  it('reports health from the version endpoint', async () => {
    fake = await startFakeOllama();
    const health = await createOllamaEngine({ host: fake.url }).health();
    expect(health).toEqual({ ok: true, detail: `ollama ${FAKE_OLLAMA_VERSION} at ${fake.url}` });
  });

  it('reports failing health with the engine and URL instead of throwing', async () => {
    fake = await startFakeOllama({ failWith: { status: 500, message: 'server overloaded' } });
    const health = await createOllamaEngine({ host: fake.url }).health();
    expect(health.ok).toBe(false);
    expect(health.detail).toBe(`ollama at ${fake.url} failed: server overloaded (HTTP 500)`);
  });

  it('names the refused connection when nothing listens', async () => {
    const host = `http://127.0.0.1:${await freePort()}`;
    const engine = createOllamaEngine({ host });
    expect(await engine.health()).toEqual({
      ok: false,
      detail: `ollama at ${host} failed: cannot connect (ECONNREFUSED)`,
    });
    await expect(engine.listModels()).rejects.toMatchObject({ code: 'ENGINE_ERROR' });
  });

  it('turns an error status into ENGINE_ERROR naming the engine and URL', async () => {
    fake = await startFakeOllama({ models: ['llama3.2:latest'] });
    const engine = createOllamaEngine({ host: fake.url });
    const failure = await collect(engine.chat({ ...request, model: 'missing' })).catch(
      (error: unknown) => error,
    );
    expect(InfernetError.isInstance(failure)).toBe(true);
    expect(failure).toMatchObject({
      code: 'ENGINE_ERROR',
      message: `ollama at ${fake.url} failed: model "missing" not found, try pulling it first (HTTP 404)`,
      details: { engine: 'ollama', url: fake.url, status: 404 },
    });
    expect((failure as Error).cause).toBeInstanceOf(Error);
  });

  it('stops the stream and the HTTP request when the caller aborts', async () => {
    fake = await startFakeOllama({ models: ['llama3.2:latest'], tokenDelayMs: 30 });
    const engine = createOllamaEngine({ host: fake.url });
    const controller = new AbortController();
    const iterator = engine.chat(request, { signal: controller.signal })[Symbol.asyncIterator]();
    expect(await iterator.next()).toMatchObject({ value: { done: false, text: 'The ' } });
    controller.abort();
    await expect(iterator.next()).rejects.toMatchObject({ name: 'AbortError' });
    const server = fake;
    await waitFor(() => server.calls.at(-1)?.outcome === 'client-closed');
  });

  it('refuses to start with an already aborted signal', async () => {
    fake = await startFakeOllama();
    const engine = createOllamaEngine({ host: fake.url });
    const stream = engine.chat(request, { signal: AbortSignal.abort() });
    await expect(collect(stream)).rejects.toMatchObject({ name: 'AbortError' });
    expect(fake.calls).toHaveLength(0);
  });

  it('closes the connection when the consumer stops reading early', async () => {
    fake = await startFakeOllama({ models: ['llama3.2:latest'], tokenDelayMs: 30 });
    const engine = createOllamaEngine({ host: fake.url });
    for await (const chunk of engine.chat(request)) {
      expect(chunk.done).toBe(false);
      break;
    }
    const server = fake;
    await waitFor(() => server.calls.at(-1)?.outcome === 'client-closed');
  });

  it('sends the API key and uses the injected fetch', async () => {
    fake = await startFakeOllama();
    const seen: string[] = [];
    const engine = createOllamaEngine({
      host: fake.url,
      apiKey: 'proxy-key',
      fetch: (input, init) => {
        seen.push(String(input));
        return fetch(input, init);
      },
    });
    await engine.listModels();
    expect(seen).toEqual([`${fake.url}/api/tags`]);
    expect(fake.calls[0]?.headers.authorization).toBe('Bearer proxy-key');
  });
});
