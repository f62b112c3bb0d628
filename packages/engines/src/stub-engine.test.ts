import { DEMO_ENGINE_LABEL } from '@infernet/protocol';
import { describe, expect, it } from 'vitest';
import type { ChatChunk, ChatStreamRequest } from './engine';
import { DEMO_MODEL, DEMO_REPLY, createStubEngine } from './stub-engine';

const request: ChatStreamRequest = {
  model: DEMO_MODEL,
  messages: [{ role: 'user', content: 'hello there demo' }],
  maxTokens: 512,
  temperature: 0.7,
};

async function collect(stream: AsyncIterable<ChatChunk>): Promise<ChatChunk[]> {
  const chunks: ChatChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

describe('createStubEngine', () => {
  it('carries the demo label and streams an answer that says it is a demo', async () => {
    const engine = createStubEngine();
    expect(engine).toMatchObject({ kind: 'stub', label: DEMO_ENGINE_LABEL });
    const chunks = await collect(engine.chat(request));
    const text = chunks.flatMap((chunk) => (chunk.done ? [] : [chunk.text])).join('');
    expect(text).toBe(DEMO_REPLY);
    expect(text).toContain('demo engine');
    expect(chunks.at(-1)).toEqual({
      done: true,
      reason: 'stop',
      usage: { promptTokens: 3, completionTokens: chunks.length - 1 },
    });
  });

  it('is deterministic and honours custom tokens and the token limit', async () => {
    const engine = createStubEngine({ models: ['tiny'], tokens: ['a', 'b', 'c'] });
    const run = () => collect(engine.chat({ ...request, model: 'tiny', maxTokens: 2 }));
    const first = await run();
    expect(first).toEqual(await run());
    expect(first).toEqual([
      { done: false, text: 'a' },
      { done: false, text: 'b' },
      { done: true, reason: 'length', usage: { promptTokens: 3, completionTokens: 2 } },
    ]);
  });

  it('refuses a model it does not serve with ENGINE_ERROR', async () => {
    const engine = createStubEngine();
    await expect(collect(engine.chat({ ...request, model: 'llama3' }))).rejects.toMatchObject({
      code: 'ENGINE_ERROR',
      message: expect.stringContaining('no model "llama3"'),
    });
  });

  it('lists its models and is always healthy', async () => {
    const engine = createStubEngine({ models: ['demo', 'demo-large'] });
    expect(await engine.listModels()).toEqual([
      { name: 'demo', sizeBytes: null },
      { name: 'demo-large', sizeBytes: null },
    ]);
    expect(await engine.health()).toMatchObject({ ok: true });
  });

  it('has nothing to pull or remove', async () => {
    const engine = createStubEngine();
    await expect(engine.pull('llama3.2')).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(engine.remove('demo')).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('stops between tokens when aborted', async () => {
    const engine = createStubEngine({ tokenDelayMs: 1000 });
    const controller = new AbortController();
    const iterator = engine.chat(request, { signal: controller.signal })[Symbol.asyncIterator]();
    const next = iterator.next();
    controller.abort();
    await expect(next).rejects.toMatchObject({ name: 'AbortError' });
  });
});
