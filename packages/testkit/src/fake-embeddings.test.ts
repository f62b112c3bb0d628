import { afterEach, describe, expect, it } from 'vitest';
import type { FakeEngineServer } from './fake-engine';
import {
  FAKE_EMBEDDING_DIMENSIONS,
  countEmbeddingTokens,
  fakeEmbedding,
  toFloat32Base64,
} from './fake-embeddings';
import { startFakeOllama } from './fake-ollama';
import { startFakeOpenAi } from './fake-openai';

let fake: FakeEngineServer | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function post(url: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { method: 'POST', body: JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

describe('fake embeddings', () => {
  it('are deterministic float32 vectors in [-1, 1), different per text', () => {
    const vector = fakeEmbedding('hello');
    expect(vector).toEqual(fakeEmbedding('hello'));
    expect(vector).toHaveLength(FAKE_EMBEDDING_DIMENSIONS);
    expect(vector.every((value) => Math.fround(value) === value && value >= -1 && value < 1)).toBe(
      true,
    );
    expect(vector).not.toEqual(fakeEmbedding('hello!'));
    expect(fakeEmbedding('hello', 20)).toHaveLength(20);
    expect(countEmbeddingTokens(['two words', 'one'])).toBe(7);
  });

  it('Ollama answers /api/embed with embeddings and prompt_eval_count', async () => {
    fake = await startFakeOllama({ models: ['nomic-embed-text:latest'] });
    const answer = await post(`${fake.url}/api/embed`, {
      model: 'nomic-embed-text',
      input: 'a single text',
    });
    expect(answer).toEqual({
      status: 200,
      body: expect.objectContaining({
        model: 'nomic-embed-text',
        embeddings: [fakeEmbedding('a single text')],
        prompt_eval_count: 5,
      }),
    });
    const missing = await post(`${fake.url}/api/embed`, { model: 'other', input: ['x'] });
    expect(missing).toEqual({
      status: 404,
      body: { error: 'model "other" not found, try pulling it first' },
    });
  });

  it('OpenAI answers /v1/embeddings in floats, or base64 float32 when asked', async () => {
    const server = await startFakeOpenAi({ models: ['bge'] });
    fake = server;
    const floats = await post(`${server.baseUrl}/embeddings`, { model: 'bge', input: ['a', 'b'] });
    expect(floats).toEqual({
      status: 200,
      body: {
        object: 'list',
        data: [
          { object: 'embedding', index: 0, embedding: fakeEmbedding('a') },
          { object: 'embedding', index: 1, embedding: fakeEmbedding('b') },
        ],
        model: 'bge',
        usage: { prompt_tokens: 6, total_tokens: 6 },
      },
    });
    const base64 = await post(`${server.baseUrl}/embeddings`, {
      model: 'bge',
      input: 'a',
      encoding_format: 'base64',
    });
    const item = (base64.body as { data: { embedding: string }[] }).data[0];
    expect(item?.embedding).toBe(toFloat32Base64(fakeEmbedding('a')));
    const bytes = Buffer.from(item?.embedding ?? '', 'base64');
    expect(Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4))).toEqual(
      fakeEmbedding('a'),
    );
    const missing = await post(`${server.baseUrl}/embeddings`, { model: 'x', input: 'a' });
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: { code: 'model_not_found' } });
  });
});
