import { DEMO_ENGINE_LABEL } from '@infernet/protocol';
import {
  countEmbeddingTokens,
  fakeEmbedding,
  startFakeOllama,
  startFakeOpenAi,
  type FakeEngineServer,
} from '@infernet/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from './engine';
import { createOllamaEngine } from './ollama-engine';
import { createOpenAiCompatibleEngine } from './openai-compatible-engine';
import { DEMO_EMBEDDING_DIMENSIONS, createStubEngine, demoEmbedding } from './stub-engine';

const texts = ['The quick brown fox', 'jumps over the lazy dog'];

let fake: FakeEngineServer | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('Engine.embed', () => {
  it('Ollama: one /api/embed call, the vectors in order and prompt_eval_count as tokens', async () => {
    fake = await startFakeOllama({ models: ['nomic-embed-text:latest'] });
    const engine = createOllamaEngine({ host: fake.url });
    const result = await engine.embed({ model: 'nomic-embed-text', input: texts });
    expect(result).toEqual({
      vectors: texts.map((text) => fakeEmbedding(text)),
      promptTokens: countEmbeddingTokens(texts),
    });
    const calls = fake.calls.filter((call) => call.path === '/api/embed');
    expect(calls).toHaveLength(1);
    expect(calls[0]?.body).toMatchObject({ model: 'nomic-embed-text', input: texts });
  });

  it('OpenAI-compatible: /v1/embeddings in floats and usage.prompt_tokens as tokens', async () => {
    const server = await startFakeOpenAi({ models: ['BAAI/bge-m3'] });
    fake = server;
    const engine = createOpenAiCompatibleEngine({ baseUrl: server.baseUrl, label: 'vllm' });
    const result = await engine.embed({ model: 'BAAI/bge-m3', input: texts });
    expect(result).toEqual({
      vectors: texts.map((text) => fakeEmbedding(text)),
      promptTokens: countEmbeddingTokens(texts),
    });
    const call = server.calls.find((item) => item.path === '/v1/embeddings');
    // Floats, asked for explicitly: not every compatible server speaks base64.
    expect(call?.body).toEqual({ model: 'BAAI/bge-m3', input: texts, encoding_format: 'float' });
  });

  it.each([
    ['ollama', () => startFakeOllama(), (url: string) => createOllamaEngine({ host: url })],
    [
      'openai-compatible',
      () => startFakeOpenAi(),
      (url: string) => createOpenAiCompatibleEngine({ baseUrl: `${url}/v1` }),
    ],
  ] as const)(
    '%s: an unknown model is ENGINE_ERROR naming the engine',
    async (label, start, create) => {
      fake = await start();
      const engine: Engine = create(fake.url);
      await expect(engine.embed({ model: 'missing', input: texts })).rejects.toMatchObject({
        code: 'ENGINE_ERROR',
        message: expect.stringContaining(`${label} at ${fake.url}`),
        details: { status: 404 },
      });
    },
  );

  it('rejects with the caller’s reason when aborted, not as an engine fault', async () => {
    fake = await startFakeOllama();
    const engine = createOllamaEngine({ host: fake.url });
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(
      engine.embed({ model: 'test-model', input: texts }, { signal: controller.signal }),
    ).rejects.toThrow('stop');
  });

  it('stub: deterministic demo vectors, labelled as the demo engine, and word counts', async () => {
    const engine = createStubEngine();
    expect(engine.label).toBe(DEMO_ENGINE_LABEL);
    const first = await engine.embed({ model: 'demo', input: texts });
    expect(first).toEqual(await engine.embed({ model: 'demo', input: texts }));
    expect(first.vectors).toEqual(texts.map((text) => demoEmbedding(text)));
    expect(first.vectors[0]).toHaveLength(DEMO_EMBEDDING_DIMENSIONS);
    expect(first.vectors[0]).not.toEqual(first.vectors[1]);
    expect(first.vectors.flat().every((value) => value >= -1 && value < 1)).toBe(true);
    expect(first.promptTokens).toBe(9);
    await expect(engine.embed({ model: 'llama3', input: texts })).rejects.toMatchObject({
      code: 'ENGINE_ERROR',
    });
  });
});
