import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_REPLY, countPromptTokens } from './fake-engine';
import type { FakeEngineServer } from './fake-engine';
import { FAKE_OLLAMA_VERSION, startFakeOllama } from './fake-ollama';
import { waitFor } from './wait-for';

const messages = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'Say something about foxes' },
];

let fake: FakeEngineServer | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function postChat(server: FakeEngineServer, body: unknown): Promise<Response> {
  return fetch(`${server.url}/api/chat`, { method: 'POST', body: JSON.stringify(body) });
}

function parseLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('startFakeOllama', () => {
  it('answers the liveness, version and tags endpoints like Ollama', async () => {
    fake = await startFakeOllama({ models: ['llama3.2:latest', 'qwen2.5:7b'] });
    const root = await fetch(`${fake.url}/`);
    expect(await root.text()).toBe('Ollama is running');
    const version = await fetch(`${fake.url}/api/version`);
    expect(await version.json()).toEqual({ version: FAKE_OLLAMA_VERSION });
    const tags = (await (await fetch(`${fake.url}/api/tags`)).json()) as {
      models: Record<string, unknown>[];
    };
    expect(tags.models.map((model) => model.name)).toEqual(['llama3.2:latest', 'qwen2.5:7b']);
    expect(tags.models[0]).toMatchObject({
      model: 'llama3.2:latest',
      size: expect.any(Number),
      digest: expect.stringMatching(/^[0-9a-f]{64}$/),
      details: { format: 'gguf' },
    });
  });

  it('streams NDJSON lines and ends with counts', async () => {
    fake = await startFakeOllama({ models: ['llama3.2:latest'] });
    const response = await postChat(fake, { model: 'llama3.2', messages, stream: true });
    expect(response.headers.get('content-type')).toBe('application/x-ndjson');
    const lines = parseLines(await response.text());
    const tokens = lines.filter((line) => line.done === false);
    const last = lines.at(-1);
    expect(tokens.map((line) => (line.message as { content: string }).content).join('')).toBe(
      DEFAULT_REPLY,
    );
    expect(tokens[0]).toMatchObject({ model: 'llama3.2', message: { role: 'assistant' } });
    expect(last).toMatchObject({
      done: true,
      done_reason: 'stop',
      prompt_eval_count: countPromptTokens(messages),
      eval_count: tokens.length,
    });
    expect(countPromptTokens(messages)).toBe(7);
    expect(fake.requests).toEqual([{ model: 'llama3.2', messages, stream: true }]);
  });

  it('answers with one object when stream is false and honours num_predict', async () => {
    fake = await startFakeOllama({ reply: () => ['a ', 'b ', 'c'] });
    const response = await postChat(fake, {
      model: 'test-model',
      messages,
      stream: false,
      options: { num_predict: 2 },
    });
    expect(await response.json()).toMatchObject({
      message: { role: 'assistant', content: 'a b ' },
      done: true,
      done_reason: 'length',
      eval_count: 2,
    });
  });

  it('refuses an unknown model the way Ollama does', async () => {
    fake = await startFakeOllama();
    const response = await postChat(fake, { model: 'missing', messages });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: 'model "missing" not found, try pulling it first',
    });
  });

  it('fails every request while a failure is set', async () => {
    fake = await startFakeOllama({ failWith: { status: 500, message: 'out of memory' } });
    const response = await fetch(`${fake.url}/api/tags`);
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: 'out of memory' });
    fake.setFailure();
    expect((await fetch(`${fake.url}/api/tags`)).status).toBe(200);
  });

  it('records a client that hangs up mid-stream', async () => {
    fake = await startFakeOllama({ tokenDelayMs: 20 });
    const response = await postChat(fake, { model: 'test-model', messages });
    const reader = response.body!.getReader();
    await reader.read();
    await reader.cancel();
    const server = fake;
    await waitFor(() => server.calls.at(-1)?.outcome === 'client-closed');
  });

  it('stalls after the tokens a per-token delay lets through', async () => {
    fake = await startFakeOllama({
      reply: () => ['a', 'b', 'c'],
      delayBeforeToken: (index) => (index < 2 ? 0 : Infinity),
    });
    const response = await postChat(fake, { model: 'test-model', messages });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (text.split('\n').filter(Boolean).length < 2) {
      text += decoder.decode((await reader.read()).value, { stream: true });
    }
    const contents = text
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { message: { content: string } }).message.content);
    expect(contents).toEqual(['a', 'b']);
    await reader.cancel();
  });

  it('streams pull progress as Ollama does, then lists the model', async () => {
    fake = await startFakeOllama({ models: [] });
    const response = await fetch(`${fake.url}/api/pull`, {
      method: 'POST',
      body: JSON.stringify({ model: 'llama3.2:1b', stream: true }),
    });
    expect(response.headers.get('content-type')).toBe('application/x-ndjson');
    const lines = parseLines(await response.text());
    expect(lines.map((line) => line.status)).toEqual([
      'pulling manifest',
      ...Array<string>(5).fill(lines[1]!.status as string),
      'verifying sha256 digest',
      'writing manifest',
      'success',
    ]);
    expect(lines[1]).toMatchObject({
      status: expect.stringMatching(/^pulling [0-9a-f]{12}$/),
      digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      total: expect.any(Number),
      completed: 0,
    });
    expect(lines[5]!.completed).toBe(lines[5]!.total);
    const tags = (await (await fetch(`${fake.url}/api/tags`)).json()) as {
      models: { name: string; details: { parameter_size: string } }[];
    };
    expect(tags.models).toMatchObject([{ name: 'llama3.2:1b', details: { parameter_size: '1B' } }]);
  });

  it('answers an unknown model in a pull with an error line, as Ollama does', async () => {
    fake = await startFakeOllama({ registry: ['llama3.2:1b'] });
    const response = await fetch(`${fake.url}/api/pull`, {
      method: 'POST',
      body: JSON.stringify({ model: 'nope' }),
    });
    expect(response.status).toBe(200);
    expect(parseLines(await response.text())).toEqual([
      { status: 'pulling manifest' },
      { error: 'pull model manifest: file does not exist' },
    ]);
  });

  it('shows a model and deletes it', async () => {
    fake = await startFakeOllama({ models: ['llama3.2:latest'] });
    const show = await fetch(`${fake.url}/api/show`, {
      method: 'POST',
      body: JSON.stringify({ model: 'llama3.2' }),
    });
    expect(await show.json()).toMatchObject({
      details: { quantization_level: 'Q4_K_M' },
      model_info: { 'general.architecture': 'llama', 'llama.context_length': 131072 },
    });
    const removed = await fetch(`${fake.url}/api/delete`, {
      method: 'DELETE',
      body: JSON.stringify({ model: 'llama3.2' }),
    });
    expect(removed.status).toBe(200);
    const again = await fetch(`${fake.url}/api/delete`, {
      method: 'DELETE',
      body: JSON.stringify({ model: 'llama3.2' }),
    });
    expect(again.status).toBe(404);
    expect(await again.json()).toEqual({ error: "model 'llama3.2' not found" });
    const missing = await fetch(`${fake.url}/api/show`, {
      method: 'POST',
      body: JSON.stringify({ model: 'llama3.2' }),
    });
    expect(missing.status).toBe(404);
  });
});
