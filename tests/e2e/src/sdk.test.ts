import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiError,
  AuthenticationError,
  InfernetClient,
  PermissionDeniedError,
  type JobStreamEvent,
} from '@infernetprotocol/sdk';
import {
  countEmbeddingTokens,
  countPromptTokens,
  fakeEmbedding,
  startFakeOllama,
  type FakeChatRequest,
} from '@infernet/testkit';
import { startServerProcess, type ServerProcess } from './processes';
import { startNodeProcess, type NodeProcess } from './node-process';

const MODEL = 'llama3.2:1b';
const REPLY = ['The ', 'SDK ', 'reads ', 'a ', 'real ', 'stream', '.'];
/** Long enough at 5 ms a token that a cancel sent after the first one lands mid-answer. */
const LONG_REPLY = Array.from({ length: 2_000 }, (_, index) => `t${index} `);
const MESSAGES = [{ role: 'user' as const, content: 'Say something' }];

/** Signs up through the accounts routes and makes an API key, as a person would with curl. */
async function createApiKey(baseUrl: string, email: string): Promise<string> {
  const signUp = await fetch(`${baseUrl}/api/auth/sign-up/email`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'correct horse battery' }),
  });
  expect(signUp.status).toBe(201);
  const cookie = signUp.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ');
  const created = await fetch(`${baseUrl}/api/keys`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify({ name: 'sdk e2e' }),
  });
  expect(created.status).toBe(201);
  return ((await created.json()) as { data: { key: string } }).data.key;
}

async function collect(events: AsyncIterable<JobStreamEvent>): Promise<JobStreamEvent[]> {
  const seen: JobStreamEvent[] = [];
  for await (const event of events) seen.push(event);
  return seen;
}

describe('the SDK against a running control plane and node', () => {
  let server: ServerProcess;
  let ollama: Awaited<ReturnType<typeof startFakeOllama>>;
  let node: NodeProcess | undefined;

  /** The usage the fake engine reported for its latest chat: what the SDK must hand back. */
  function engineUsage() {
    const request = ollama.requests.at(-1) as FakeChatRequest;
    const promptTokens = countPromptTokens(request.messages);
    return {
      promptTokens,
      completionTokens: REPLY.length,
      totalTokens: promptTokens + REPLY.length,
    };
  }

  beforeAll(async () => {
    ollama = await startFakeOllama({
      models: [MODEL],
      reply: (request) =>
        request.messages.some((message) => message.content === 'Go on and on') ? LONG_REPLY : REPLY,
      tokenDelayMs: 5,
    });
    server = await startServerProcess();
    node = await startNodeProcess({
      serverUrl: server.url,
      engineUrl: ollama.url,
      name: 'sdk-e2e-node',
    });
  });

  afterAll(async () => {
    await node?.remove();
    await server?.stop();
    await ollama?.close();
  });

  it('lists the model the node serves, with its node count', async () => {
    const client = new InfernetClient({ baseUrl: server.url });
    await expect(client.models()).resolves.toEqual([{ name: MODEL, nodes: 1 }]);
  });

  it("streams the engine's tokens in order, then done with the engine's usage", async () => {
    const client = new InfernetClient({ baseUrl: server.url });
    const events = await collect(client.chat({ model: MODEL, messages: MESSAGES }));
    const names = events.map((event) => event.event).filter((name) => name !== 'queue');
    expect(names).toEqual(['job', 'meta', ...REPLY.map(() => 'token'), 'done']);
    const tokens = events.flatMap((event) => (event.event === 'token' ? [event.data.text] : []));
    expect(tokens).toEqual(REPLY);
    const done = events.at(-1);
    expect(done?.event).toBe('done');
    if (done?.event !== 'done') return;
    expect(done.data.text).toBe(REPLY.join(''));
    const usage = engineUsage();
    expect(done.data.usage).toEqual({
      prompt_tokens: usage.promptTokens,
      completion_tokens: usage.completionTokens,
    });
  });

  it('returns the whole answer and usage without streaming', async () => {
    const client = new InfernetClient({ baseUrl: server.url });
    const result = await client.chat({ model: MODEL, messages: MESSAGES, stream: false });
    expect(result.text).toBe(REPLY.join(''));
    expect(result.usage).toEqual(engineUsage());
    expect(result.finishReason).toBe('stop');
    expect(result.meta).toMatchObject({ model: MODEL, provider_name: 'sdk-e2e-node' });
    const again = await client.complete({ model: MODEL, messages: MESSAGES });
    expect(again.text).toBe(REPLY.join(''));
    expect(again.jobId).not.toBe(result.jobId);
  });

  it("embeds texts on the node and returns the engine's vectors in input order", async () => {
    const client = new InfernetClient({ baseUrl: server.url });
    const texts = ['first text', 'the second text'];
    const result = await client.embeddings({ model: MODEL, input: texts });
    expect(result.embeddings).toEqual(texts.map((text) => fakeEmbedding(text)));
    const tokens = countEmbeddingTokens(texts);
    expect(result.usage).toEqual({ promptTokens: tokens, totalTokens: tokens });
  });

  it('raises an unknown model as a typed error naming the served models', async () => {
    const client = new InfernetClient({ baseUrl: server.url });
    const failure = await client
      .complete({ model: 'no-such-model', messages: MESSAGES })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({ servedModels: [MODEL] });
    expect((failure as ApiError).message).toContain('no-such-model');
  });

  it('cancels a job mid-answer', async () => {
    const client = new InfernetClient({ baseUrl: server.url });
    const chat = client.chat({
      model: MODEL,
      messages: [{ role: 'user', content: 'Go on and on' }],
    });
    const events: JobStreamEvent[] = [];
    for await (const event of chat) {
      events.push(event);
      if (event.event === 'token' && events.filter((seen) => seen.event === 'token').length === 1) {
        await expect(chat.cancel()).resolves.toMatchObject({
          cancelled: true,
          status: 'cancelled',
        });
      }
    }
    expect(events.at(-1)).toMatchObject({ event: 'error', data: { code: 'CANCELLED' } });
    const tokens = events.filter((event) => event.event === 'token').length;
    expect(tokens).toBeLessThan(LONG_REPLY.length);
  });

  it('sends its API key: jobs belong to the account and only its key reads them', async () => {
    const apiKey = await createApiKey(server.url, 'sdk-owner@example.com');
    const owner = new InfernetClient({ baseUrl: server.url, apiKey });
    const job = await owner.chat({ model: MODEL, messages: MESSAGES });
    // No stream token: the key alone reads the job, because the job is its account's.
    const events = await collect(owner.streamJob({ jobId: job.jobId }));
    expect(events.at(-1)).toMatchObject({ event: 'done', data: { text: REPLY.join('') } });

    const otherKey = await createApiKey(server.url, 'sdk-other@example.com');
    const other = new InfernetClient({ baseUrl: server.url, apiKey: otherKey });
    await expect(collect(other.streamJob({ jobId: job.jobId }))).rejects.toBeInstanceOf(
      PermissionDeniedError,
    );
    const revoked = new InfernetClient({ baseUrl: server.url, apiKey: `${apiKey}x` });
    const refusal = await revoked
      .submit({ model: MODEL, messages: MESSAGES })
      .catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(AuthenticationError);
    expect(refusal).toMatchObject({ status: 401, code: 'API_KEY_INVALID' });
  });
});
