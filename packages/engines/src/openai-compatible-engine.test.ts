import { InfernetError } from '@infernet/protocol';
import type { ChatMessage } from '@infernet/protocol';
import {
  DEFAULT_REPLY,
  countPromptTokens,
  freePort,
  startFakeOpenAi,
  waitFor,
} from '@infernet/testkit';
import type { FakeOpenAiServer } from '@infernet/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatChunk, ChatStreamRequest } from './engine';
import { createOpenAiCompatibleEngine } from './openai-compatible-engine';

const model = 'Qwen/Qwen2.5-0.5B-Instruct';
const messages: ChatMessage[] = [{ role: 'user', content: 'Describe the lazy dog please' }];
const request: ChatStreamRequest = { model, messages, maxTokens: 100, temperature: 0.5 };

let fake: FakeOpenAiServer | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function collect(stream: AsyncIterable<ChatChunk>): Promise<ChatChunk[]> {
  const chunks: ChatChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

describe('createOpenAiCompatibleEngine', () => {
  it('passes top_p, stop and seed to the server in the request body', async () => {
    fake = await startFakeOpenAi({ models: [model] });
    const engine = createOpenAiCompatibleEngine({ baseUrl: fake.baseUrl, label: 'vllm' });
    await collect(engine.chat({ ...request, topP: 0.5, stop: ['END'], seed: 42 }));
    expect(fake.requests.at(-1)).toMatchObject({ top_p: 0.5, stop: ['END'], seed: 42 });
  });

  it('streams tokens in order and reports the usage chunk', async () => {
    fake = await startFakeOpenAi({ models: [model] });
    const engine = createOpenAiCompatibleEngine({ baseUrl: fake.baseUrl, label: 'vllm' });
    const chunks = await collect(engine.chat(request));
    const texts = chunks.flatMap((chunk) => (chunk.done ? [] : [chunk.text]));
    expect(texts.join('')).toBe(DEFAULT_REPLY);
    expect(chunks.at(-1)).toEqual({
      done: true,
      reason: 'stop',
      usage: { promptTokens: countPromptTokens(messages), completionTokens: texts.length },
    });
    expect(fake.requests[0]).toMatchObject({
      model,
      messages,
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 100,
      temperature: 0.5,
    });
    expect(engine).toMatchObject({ kind: 'openai-compatible', label: 'vllm' });
  });

  it('reports a length stop when the token limit cuts the answer', async () => {
    fake = await startFakeOpenAi({ models: [model] });
    const engine = createOpenAiCompatibleEngine({ baseUrl: fake.baseUrl });
    const chunks = await collect(engine.chat({ ...request, maxTokens: 2 }));
    expect(chunks.at(-1)).toMatchObject({
      done: true,
      reason: 'length',
      usage: { completionTokens: 2 },
    });
  });

  it('lists models and adds /v1 to a bare origin', async () => {
    fake = await startFakeOpenAi({ models: [model, 'meta-llama/Llama-3.1-8B-Instruct'] });
    const engine = createOpenAiCompatibleEngine({ baseUrl: `${fake.url}/` });
    expect(await engine.listModels()).toEqual([
      { name: model, sizeBytes: null },
      { name: 'meta-llama/Llama-3.1-8B-Instruct', sizeBytes: null },
    ]);
    expect(fake.calls[0]?.path).toBe('/v1/models');
  });

  it('cannot pull or remove models, and says what to do instead', async () => {
    fake = await startFakeOpenAi({ models: [model] });
    const engine = createOpenAiCompatibleEngine({ baseUrl: fake.url, label: 'vllm' });
    await expect(engine.pull('qwen2.5:7b')).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('`vllm serve qwen2.5:7b`'),
    });
    await expect(engine.remove(model)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(fake.calls).toHaveLength(0);
  });

  it('sends the API key as a bearer token', async () => {
    fake = await startFakeOpenAi({ models: [model], apiKey: 'sk-local' });
    const withKey = createOpenAiCompatibleEngine({ baseUrl: fake.baseUrl, apiKey: 'sk-local' });
    expect(await withKey.health()).toEqual({
      ok: true,
      detail: `openai-compatible at ${fake.baseUrl}: 1 models`,
    });
    const withoutKey = createOpenAiCompatibleEngine({ baseUrl: fake.baseUrl });
    const health = await withoutKey.health();
    expect(health.ok).toBe(false);
    expect(health.detail).toContain('Incorrect API key provided.');
  });

  it('reports failing health naming the engine and URL', async () => {
    fake = await startFakeOpenAi({ failWith: { status: 503, message: 'model is loading' } });
    const engine = createOpenAiCompatibleEngine({ baseUrl: fake.baseUrl, label: 'vllm' });
    expect(await engine.health()).toEqual({
      ok: false,
      detail: `vllm at ${fake.baseUrl} failed: 503 model is loading`,
    });
  });

  it('names the refused connection when nothing listens', async () => {
    const baseUrl = `http://127.0.0.1:${await freePort()}/v1`;
    const engine = createOpenAiCompatibleEngine({ baseUrl });
    const failure = await engine.listModels().catch((error: unknown) => error);
    expect(failure).toMatchObject({
      code: 'ENGINE_ERROR',
      message: `openai-compatible at ${baseUrl} failed: cannot connect (ECONNREFUSED)`,
    });
  });

  it('turns an error status into ENGINE_ERROR', async () => {
    fake = await startFakeOpenAi({ models: [model] });
    const engine = createOpenAiCompatibleEngine({ baseUrl: fake.baseUrl, label: 'vllm' });
    const failure = await collect(engine.chat({ ...request, model: 'missing' })).catch(
      (error: unknown) => error,
    );
    expect(InfernetError.isInstance(failure)).toBe(true);
    expect(failure).toMatchObject({
      code: 'ENGINE_ERROR',
      message: `vllm at ${fake.baseUrl} failed: 404 The model \`missing\` does not exist.`,
      details: { engine: 'vllm', url: fake.baseUrl, status: 404 },
    });
  });

  it('does not retry a failed request on its own', async () => {
    fake = await startFakeOpenAi({ failWith: { status: 500, message: 'boom' } });
    const engine = createOpenAiCompatibleEngine({ baseUrl: fake.baseUrl });
    await expect(collect(engine.chat(request))).rejects.toMatchObject({ code: 'ENGINE_ERROR' });
    expect(fake.calls).toHaveLength(1);
  });

  it('stops the stream and the HTTP request when the caller aborts', async () => {
    fake = await startFakeOpenAi({ models: [model], tokenDelayMs: 30 });
    const engine = createOpenAiCompatibleEngine({ baseUrl: fake.baseUrl });
    const controller = new AbortController();
    const iterator = engine.chat(request, { signal: controller.signal })[Symbol.asyncIterator]();
    expect(await iterator.next()).toMatchObject({ value: { done: false, text: 'The ' } });
    controller.abort();
    await expect(iterator.next()).rejects.toMatchObject({ name: 'AbortError' });
    const server = fake;
    await waitFor(() => server.calls.at(-1)?.outcome === 'client-closed');
  });

  it('closes the connection when the consumer stops reading early', async () => {
    fake = await startFakeOpenAi({ models: [model], tokenDelayMs: 30 });
    const engine = createOpenAiCompatibleEngine({ baseUrl: fake.baseUrl });
    for await (const chunk of engine.chat(request)) {
      expect(chunk.done).toBe(false);
      break;
    }
    const server = fake;
    await waitFor(() => server.calls.at(-1)?.outcome === 'client-closed');
  });

  it('treats a stream cut off before its finish reason as an engine error', async () => {
    const truncated = [
      'data: {"id":"x","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"Hel"},"finish_reason":null}]}',
      '',
      '',
    ].join('\n');
    const engine = createOpenAiCompatibleEngine({
      baseUrl: 'http://engine.invalid/v1',
      fetch: async () =>
        new Response(truncated, { headers: { 'content-type': 'text/event-stream' } }),
    });
    const chunks: ChatChunk[] = [];
    const failure = await (async () => {
      for await (const chunk of engine.chat({ ...request, model: 'm' })) chunks.push(chunk);
    })().catch((error: unknown) => error);
    expect(chunks).toEqual([{ done: false, text: 'Hel' }]);
    expect(failure).toMatchObject({
      code: 'ENGINE_ERROR',
      message:
        'openai-compatible at http://engine.invalid/v1 failed: stream ended without a finish reason',
    });
  });
});
