import { afterEach, describe, expect, it } from 'vitest';
import OpenAI, { APIError } from 'openai';
import { pino } from 'pino';
import { generateKeyPair } from '@infernet/auth';
import { waitFor } from '@infernet/testkit';
import { runMaintenance } from '../maintenance';
import type { QueueSettings } from '../context';
import { createTestApp, parseSse, registerNode, signedPost, type TestApp } from '../testing';

const MODEL = 'busy-model';
const messages = [{ role: 'user' as const, content: 'hi' }];
const node = generateKeyPair();

let server: TestApp | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A server with one node that serves MODEL but never polls: every job waits. */
async function start(queue: Partial<QueueSettings>): Promise<TestApp> {
  server = await createTestApp({ keepAliveMs: 50, queue });
  await registerNode(server.app, node, { nodeId: 'busy-node', models: [MODEL] });
  return server;
}

function submit(app: TestApp['app'], body: object = {}) {
  return app.request('/api/chat', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: MODEL, messages, ...body }),
  });
}

function openAi(app: TestApp['app']) {
  return new OpenAI({
    baseURL: 'http://infernet.test/v1',
    apiKey: 'unused',
    // A 503 is retryable for OpenAI's clients; the test wants to see the first answer.
    maxRetries: 0,
    fetch: async (url, init) => app.request(String(url), init),
  });
}

const sweep = (app: TestApp) =>
  runMaintenance({
    db: app.db,
    logger: pino({ level: 'silent' }),
    now: Date.now,
    abandonedStreamGraceSeconds: 30,
  });

/** Reads SSE frames from a live stream until `until` holds for one, then hangs up. */
async function readFramesUntil(
  response: Response,
  until: (frame: ReturnType<typeof parseSse>[number]) => boolean,
) {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return parseSse(text);
      text += decoder.decode(value, { stream: true });
      const complete = text.slice(0, text.lastIndexOf('\n\n') + 2);
      const frames = parseSse(complete);
      if (frames.some(until)) return frames;
    }
  } finally {
    await reader.cancel();
  }
}

describe('a bounded queue per model', () => {
  it('refuses a submit past the bound with 503 QUEUE_FULL and when to retry', async () => {
    const { app } = await start({ maxPerModel: 2 });
    expect((await submit(app)).status).toBe(201);
    expect((await submit(app)).status).toBe(201);

    const refused = await submit(app);
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const body = (await refused.json()) as {
      error: { code: string; message: string; details: { queued: number; nodes: number } };
    };
    expect(body.error.code).toBe('QUEUE_FULL');
    expect(body.error.message).toMatch(/queue is full \(2 jobs wait for 1 node\)\. Retry in about/);
    expect(body.error.details).toMatchObject({ queued: 2, nodes: 1 });

    // The OpenAI-compatible API gives the same answer in OpenAI's shape.
    const error = await openAi(app)
      .chat.completions.create({ model: MODEL, messages })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(503);
    expect((error as APIError).code).toBe('queue_full');
  });

  it('shows a queued job its place and expected wait in the stream', async () => {
    const { app } = await start({ maxPerModel: 10 });
    await submit(app);
    const second = (await (await submit(app)).json()) as { streamUrl: string };
    const stream = await app.request(second.streamUrl);
    const frames = await readFramesUntil(stream, (frame) => frame.event === 'queue');
    expect(frames[0]!.event).toBe('job');
    const queue = frames.find((frame) => frame.event === 'queue')!;
    expect(queue.id).toBeUndefined();
    const status = JSON.parse(queue.data!) as Record<string, unknown>;
    expect(status).toMatchObject({ position: 2, expected_wait_seconds: null });
    expect(Date.parse(String(status.deadline_at))).toBeGreaterThan(Date.now());
  });

  it('starts an OpenAI stream behind other jobs at once, with its place as comments', async () => {
    const { app } = await start({ maxPerModel: 10 });
    await submit(app);
    const response = await app.request('/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, messages, stream: true }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-infernet-fallback')).toBe('none');
    expect(response.headers.get('x-infernet-provider')).toBeNull();
    const frames = await readFramesUntil(response, (frame) => frame.data !== undefined);
    expect(frames[0]!.comment).toMatch(/^queued position=2 expected_wait=unknown deadline=/);
  });
});

describe('the queue deadline', () => {
  it('fails a job no node took in time with QUEUE_TIMEOUT, and no node gets it later', async () => {
    const app = await start({ deadlineSeconds: 0 });
    const created = (await (await submit(app.app)).json()) as { jobId: string; streamUrl: string };

    expect(await sweep(app)).toMatchObject({ queueTimeouts: 1 });
    const stream = parseSse(await (await app.app.request(created.streamUrl)).text());
    const error = stream.find((frame) => frame.event === 'error')!;
    expect(JSON.parse(error.data!)).toMatchObject({
      code: 'QUEUE_TIMEOUT',
      message: expect.stringMatching(/No node was free to take this job within 0 s/),
      delivered_tokens: 0,
    });
    expect((await app.db.jobs.findById(created.jobId))?.status).toBe('failed');

    const poll = await signedPost(app.app, node, '/api/v1/node/jobs/poll', { wait: 0 });
    expect(((await poll.json()) as { data: { jobs: unknown[] } }).data.jobs).toEqual([]);
  });

  it('answers a waiting OpenAI request with 503 queue_timeout', async () => {
    const app = await start({ deadlineSeconds: 0 });
    const pending = openAi(app.app)
      .chat.completions.create({ model: MODEL, messages })
      .catch((caught: unknown) => caught);
    await waitFor(async () => (await app.db.jobs.counts()).queued === 1, {
      description: 'the job to be queued',
    });
    expect(await sweep(app)).toMatchObject({ queueTimeouts: 1 });
    const error = await pending;
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(503);
    expect((error as APIError).code).toBe('queue_timeout');
    expect((error as APIError).message).toMatch(/No node was free to take this job/);
  });

  it('still answers at once when no live node serves the model', async () => {
    const { app } = await start({});
    const response = await submit(app, { model: 'nobody-serves-this' });
    expect(response.status).toBe(503);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('NO_CAPACITY');
  });
});
