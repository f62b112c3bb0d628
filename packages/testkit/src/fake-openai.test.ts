import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_REPLY, countPromptTokens } from './fake-engine';
import { startFakeOpenAi } from './fake-openai';
import type { FakeOpenAiServer } from './fake-openai';

const messages = [{ role: 'user', content: 'Tell me about the lazy dog' }];

let fake: FakeOpenAiServer | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function postCompletion(
  server: FakeOpenAiServer,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${server.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

/** Splits an SSE body into its `data:` payloads. */
function dataFrames(text: string): string[] {
  return text
    .split('\n\n')
    .filter(Boolean)
    .map((frame) => {
      expect(frame.startsWith('data: ')).toBe(true);
      return frame.slice('data: '.length);
    });
}

describe('startFakeOpenAi', () => {
  it('lists models in the OpenAI list shape', async () => {
    fake = await startFakeOpenAi({ models: ['Qwen/Qwen2.5-0.5B-Instruct'] });
    const response = await fetch(`${fake.baseUrl}/models`);
    expect(await response.json()).toEqual({
      object: 'list',
      data: [
        {
          id: 'Qwen/Qwen2.5-0.5B-Instruct',
          object: 'model',
          created: expect.any(Number),
          owned_by: 'infernet-testkit',
        },
      ],
    });
  });

  it('streams chunks: role first, content deltas, finish reason, usage, [DONE]', async () => {
    fake = await startFakeOpenAi();
    const response = await postCompletion(fake, {
      model: 'test-model',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const frames = dataFrames(await response.text());
    expect(frames.at(-1)).toBe('[DONE]');
    const chunks = frames.slice(0, -1).map((frame) => JSON.parse(frame) as ChunkShape);
    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: 'assistant', content: '' });
    expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk')).toBe(true);
    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe(DEFAULT_REPLY);
    const finish = chunks.at(-2);
    expect(finish?.choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
    expect(finish?.usage).toBeNull();
    const pieces = chunks.filter((chunk) => chunk.choices[0]?.delta.content).length;
    expect(chunks.at(-1)).toMatchObject({
      choices: [],
      usage: {
        prompt_tokens: countPromptTokens(messages),
        completion_tokens: pieces,
        total_tokens: countPromptTokens(messages) + pieces,
      },
    });
  });

  it('leaves usage out of a stream that did not ask for it', async () => {
    fake = await startFakeOpenAi();
    const response = await postCompletion(fake, { model: 'test-model', messages, stream: true });
    const frames = dataFrames(await response.text()).slice(0, -1);
    expect(frames.every((frame) => !frame.includes('"usage"'))).toBe(true);
  });

  it('answers without streaming and honours max_tokens', async () => {
    fake = await startFakeOpenAi({ reply: () => ['one ', 'two ', 'three'] });
    const response = await postCompletion(fake, { model: 'test-model', messages, max_tokens: 2 });
    expect(await response.json()).toMatchObject({
      object: 'chat.completion',
      choices: [{ message: { role: 'assistant', content: 'one two ' }, finish_reason: 'length' }],
      usage: { prompt_tokens: 6, completion_tokens: 2, total_tokens: 8 },
    });
  });

  it("uses OpenAI's error shape for unknown models, bad keys and injected failures", async () => {
    fake = await startFakeOpenAi({ apiKey: 'secret' });
    const unauthorised = await postCompletion(fake, { model: 'test-model', messages });
    expect(unauthorised.status).toBe(401);
    expect(await unauthorised.json()).toMatchObject({ error: { code: 'invalid_api_key' } });

    const auth = { authorization: 'Bearer secret' };
    const missing = await postCompletion(fake, { model: 'nope', messages }, auth);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      error: {
        message: 'The model `nope` does not exist.',
        type: 'invalid_request_error',
        param: null,
        code: 'model_not_found',
      },
    });

    fake.setFailure({ status: 503, message: 'engine is loading' });
    const failing = await fetch(`${fake.baseUrl}/models`, { headers: auth });
    expect(failing.status).toBe(503);
    expect(await failing.json()).toMatchObject({
      error: { message: 'engine is loading', type: 'server_error' },
    });
  });
});

interface ChunkShape {
  object: string;
  choices: { delta: { role?: string; content?: string }; finish_reason: string | null }[];
  usage?: unknown;
}
