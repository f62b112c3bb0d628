import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import {
  countEmbeddingTokens,
  fakeEmbedding,
  startFakeOllama,
  type FakeEngineServer,
} from '@infernet/testkit';
import { startServerProcess, type ServerProcess } from './processes';
import { startNodeProcess, type NodeProcess } from './node-process';

const MODEL = 'nomic-embed-text:latest';

describe('embeddings through the official openai client, a real node and a fake Ollama', () => {
  let server: ServerProcess;
  let ollama: FakeEngineServer;
  let node: NodeProcess | undefined;
  let client: OpenAI;

  beforeAll(async () => {
    ollama = await startFakeOllama({ models: [MODEL] });
    server = await startServerProcess();
    node = await startNodeProcess({
      serverUrl: server.url,
      engineUrl: ollama.url,
      name: 'e2e-embedder',
    });
    client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'anonymous', maxRetries: 0 });
  });

  afterAll(async () => {
    await node?.remove();
    await server?.stop();
    await ollama?.close();
  });

  it('returns the engine’s vectors in order with its token count as usage', async () => {
    const { data, response } = await client.embeddings
      .create({ model: MODEL, input: ['a', 'b'] })
      .withResponse();
    expect(data.data.map((item) => [item.index, item.embedding])).toEqual([
      [0, fakeEmbedding('a')],
      [1, fakeEmbedding('b')],
    ]);
    expect(data.usage).toEqual({
      prompt_tokens: countEmbeddingTokens(['a', 'b']),
      total_tokens: countEmbeddingTokens(['a', 'b']),
    });
    expect(data.model).toBe(MODEL);
    expect(response.headers.get('x-infernet-engine')).toBe('ollama');
    expect(response.headers.get('x-infernet-provider')).toMatch(/\S/);
    expect(response.headers.get('x-infernet-model')).toBe(MODEL);
    expect(response.headers.get('x-infernet-fallback')).toBe('none');
    // The node really asked the engine, in one call carrying both texts.
    const embedCalls = ollama.calls.filter((call) => call.path === '/api/embed');
    expect(embedCalls.map((call) => call.body)).toEqual([{ model: MODEL, input: ['a', 'b'] }]);
  });

  it('answers numbers when the client asks for floats', async () => {
    const answer = await client.embeddings.create({
      model: MODEL,
      input: 'one text',
      encoding_format: 'float',
    });
    expect(answer.data[0]?.embedding).toEqual(fakeEmbedding('one text'));
    expect(answer.usage.prompt_tokens).toBe(countEmbeddingTokens(['one text']));
  });
});
