import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import OpenAI, { NotFoundError } from 'openai';
import { generateKeyPair } from '@infernet/auth';
import { NIM_FALLBACK_PROVIDER } from '@infernet/db';
import { FAKE_NIM_MODEL, startFakeNim, waitFor, type FakeNimServer } from '@infernet/testkit';
import {
  createTestApp,
  createTestCopies,
  parseSse,
  registerNode,
  signedPost,
  type TestApp,
} from '../testing';

const REPLY = ['Hello ', 'from ', 'the ', 'fallback.'];
// Five words: the fake counts prompt tokens by words.
const messages = [{ role: 'user' as const, content: 'please say hello to me' }];

let nim: FakeNimServer;
let server: TestApp;

beforeEach(async () => {
  nim = await startFakeNim({
    models: [FAKE_NIM_MODEL, 'meta/llama-3.3-70b-instruct'],
    reply: () => REPLY,
  });
  server = await createTestApp({
    keepAliveMs: 50,
    nim: { apiUrl: nim.baseUrl, apiKey: nim.apiKey },
  });
});
afterEach(async () => {
  await server.close();
  await nim.close();
});

function openAi(headers: Record<string, string> = {}) {
  return new OpenAI({
    baseURL: 'http://infernet.test/v1',
    apiKey: 'unused',
    maxRetries: 0,
    defaultHeaders: headers,
    fetch: async (url, init) => server.app.request(String(url), init),
  });
}

function postChat(body: object, headers: Record<string, string> = {}) {
  return server.app.request('/api/chat', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

/** The job's stored events, once its terminal event is in. */
async function finishedEvents(jobId: string) {
  return waitFor(
    async () => {
      const events = await server.db.events.listAfter(jobId, 0, 100);
      return events.some((event) => event.type === 'done' || event.type === 'error')
        ? events
        : undefined;
    },
    { description: 'the fallback job to finish' },
  );
}

describe('the NVIDIA NIM fallback', () => {
  it('answers /v1 when no node serves the model, labelled, with its tokens and usage stored', async () => {
    const { data, response } = await openAi()
      .chat.completions.create({ model: 'llama3.2:1b', messages })
      .withResponse();

    expect(response.headers.get('x-infernet-fallback')).toBe('nvidia-nim');
    expect(response.headers.get('x-infernet-provider')).toBe('nvidia-nim');
    expect(response.headers.get('x-infernet-engine')).toBe('nvidia-nim');
    expect(response.headers.get('x-infernet-model')).toBe(FAKE_NIM_MODEL);
    expect(data.choices[0]!.message.content).toBe(REPLY.join(''));
    expect(data.usage).toEqual({ prompt_tokens: 5, completion_tokens: 4, total_tokens: 9 });

    // The fake NIM got the request with its key, for the default model (the node model's name means nothing to NIM).
    expect(nim.calls[0]!.headers.authorization).toBe(`Bearer ${nim.apiKey}`);
    expect(nim.requests[0]).toMatchObject({ model: FAKE_NIM_MODEL, stream: true });

    const jobId = data.id.replace(/^chatcmpl-/, '');
    const job = await server.db.jobs.findById(jobId);
    expect(job).toMatchObject({
      status: 'completed',
      model: 'llama3.2:1b',
      providerId: NIM_FALLBACK_PROVIDER.id,
      deliveredTokens: 4,
    });
    const events = await finishedEvents(jobId);
    expect(events.map((event) => event.type)).toEqual([
      'meta',
      'token',
      'token',
      'token',
      'token',
      'done',
    ]);
    expect(events[0]!.data).toMatchObject({
      fallback: 'nvidia-nim',
      engine: 'nvidia-nim',
      model: FAKE_NIM_MODEL,
      provider_node_id: 'nvidia-nim',
    });
    expect(
      events.filter((event) => event.type === 'token').map((event) => event.data.text),
    ).toEqual(REPLY);
    expect(events.at(-1)!.data).toMatchObject({
      text: REPLY.join(''),
      usage: { prompt_tokens: 5, completion_tokens: 4 },
    });
  });

  it('streams to the openai client with the fallback usage in the last chunk', async () => {
    const { data: stream, response } = await openAi()
      .chat.completions.create({
        model: 'meta/llama-3.3-70b-instruct',
        messages,
        stream: true,
        stream_options: { include_usage: true },
      })
      .withResponse();
    expect(response.headers.get('x-infernet-fallback')).toBe('nvidia-nim');
    let text = '';
    let usage: unknown;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(REPLY.join(''));
    expect(usage).toEqual({ prompt_tokens: 5, completion_tokens: 4, total_tokens: 9 });
    // A NIM catalogue name (`vendor/model`) is passed through as it is.
    expect(nim.requests[0]).toMatchObject({ model: 'meta/llama-3.3-70b-instruct' });
    expect(response.headers.get('x-infernet-model')).toBe('meta/llama-3.3-70b-instruct');
  });

  it('serves /api/chat and labels it in the response and the meta event', async () => {
    const response = await postChat({ messages });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-infernet-fallback')).toBe('nvidia-nim');
    const body = (await response.json()) as {
      jobId: string;
      streamUrl: string;
      provider: { id: string } | null;
    };
    expect(body.provider).toMatchObject({ id: 'nvidia-nim' });
    await finishedEvents(body.jobId);
    const frames = parseSse(await (await server.app.request(body.streamUrl)).text());
    expect(frames.map((frame) => frame.event)).toEqual([
      'job',
      'meta',
      'token',
      'token',
      'token',
      'token',
      'done',
    ]);
    expect(JSON.parse(frames[1]!.data!)).toMatchObject({ fallback: 'nvidia-nim' });
  });

  it('is refused by a request that asks for nodes only, which gets the honest answer', async () => {
    const byHeader = await openAi({ 'X-Infernet-Fallback': 'none' })
      .chat.completions.create({ model: 'llama3.2:1b', messages })
      .catch((caught: unknown) => caught);
    expect(byHeader).toBeInstanceOf(NotFoundError);
    expect((byHeader as NotFoundError).code).toBe('model_not_found');

    const byBody = await openAi()
      .chat.completions.create({
        model: 'llama3.2:1b',
        messages,
        // @ts-expect-error Infernet's own request field; OpenAI's types do not know it.
        infernet: { fallback: false },
      })
      .catch((caught: unknown) => caught);
    expect(byBody).toBeInstanceOf(NotFoundError);

    const chat = await postChat({ model: 'llama3.2:1b', messages, fallback: false });
    expect(chat.status).toBe(503);
    expect(((await chat.json()) as { error: { code: string } }).error.code).toBe('NO_CAPACITY');
    expect(nim.calls).toEqual([]);
  });

  it('leaves jobs a node serves to the node', async () => {
    const node = generateKeyPair();
    await registerNode(server.app, node, { nodeId: 'gpu', models: ['llama3.2:1b'] });
    const response = await postChat({ model: 'llama3.2:1b', messages });
    expect(response.headers.get('x-infernet-fallback')).toBe('none');
    expect(((await response.json()) as { provider: unknown }).provider).toBeNull();
    expect(nim.calls).toEqual([]);
  });

  it('fails the job with a reason when NIM refuses, and never shows the key', async () => {
    await server.close();
    server = await createTestApp({
      keepAliveMs: 50,
      nim: { apiUrl: nim.baseUrl, apiKey: 'nvapi-wrong-key' },
    });
    const response = await postChat({ messages });
    const { jobId } = (await response.json()) as { jobId: string };
    const events = await finishedEvents(jobId);
    const error = events.at(-1)!;
    expect(error.type).toBe('error');
    expect(String(error.data.message)).toMatch(/^The NVIDIA NIM fallback failed: .*401/);
    expect(JSON.stringify(events)).not.toContain('nvapi-wrong-key');
    expect((await server.db.jobs.findById(jobId))?.status).toBe('failed');
  });

  it('cannot be claimed by a node through its meta event', async () => {
    const node = generateKeyPair();
    await registerNode(server.app, node, { nodeId: 'liar', models: ['m'] });
    const pending = openAi().chat.completions.create({ model: 'm', messages }).withResponse();
    const poll = await signedPost(server.app, node, '/api/v1/node/jobs/poll', { wait: 5 });
    const job = ((await poll.json()) as { data: { jobs: { id: string }[] } }).data.jobs[0]!;
    await signedPost(server.app, node, `/api/v1/node/jobs/${job.id}/events`, {
      events: [{ event_type: 'meta', data: { engine: 'x', fallback: 'nvidia-nim' } }],
    });
    await signedPost(server.app, node, `/api/v1/node/jobs/${job.id}/complete`, {
      status: 'completed',
      result: { text: '', reason: 'stop' },
    });
    const { response } = await pending;
    expect(response.headers.get('x-infernet-fallback')).toBe('none');
    expect(response.headers.get('x-infernet-provider')).toBe('liar');
    const [meta] = await server.db.events.listAfter(job.id, 0, 1);
    expect(meta!.data).not.toHaveProperty('fallback');
  });

  it('is followed from another server copy like any job', async () => {
    const { copies, close } = await createTestCopies({
      databaseUrl: process.env.TEST_DATABASE_URL,
      keepAliveMs: 50,
      nim: { apiUrl: nim.baseUrl, apiKey: nim.apiKey },
    });
    try {
      const [first, second] = copies as [TestApp, TestApp];
      const created = await first.app.request('/api/chat', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ messages }),
      });
      const { streamUrl } = (await created.json()) as { streamUrl: string };
      const frames = parseSse(await (await second.app.request(streamUrl)).text());
      expect(
        frames
          .filter((frame) => frame.event === 'token')
          .map((frame) => JSON.parse(frame.data!).text),
      ).toEqual(REPLY);
      expect(JSON.parse(frames.at(-1)!.data!)).toMatchObject({
        usage: { prompt_tokens: 5, completion_tokens: 4 },
      });
    } finally {
      await close();
    }
  });
});
