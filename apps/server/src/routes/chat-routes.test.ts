import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateKeyPair } from '@infernet/auth';
import { createTestApp, parseSse, registerNode, signedPost, type TestApp } from '../testing';

let server: TestApp;
const node = generateKeyPair();

beforeEach(async () => {
  server = await createTestApp({ keepAliveMs: 50 });
});
afterEach(async () => {
  await server.close();
});

async function submit(body: object) {
  return server.app.request('/api/chat', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function claimOne() {
  const response = await signedPost(server.app, node, '/api/v1/node/jobs/poll', { wait: 0 });
  return ((await response.json()) as { data: { jobs: { id: string }[] } }).data.jobs[0]!.id;
}

async function postTokens(jobId: string, texts: string[]) {
  const response = await signedPost(server.app, node, `/api/v1/node/jobs/${jobId}/events`, {
    events: texts.map((text) => ({ event_type: 'token', data: { text } })),
  });
  expect(response.status).toBe(200);
}

async function complete(jobId: string, text: string) {
  await signedPost(server.app, node, `/api/v1/node/jobs/${jobId}/complete`, {
    status: 'completed',
    result: { text, reason: 'stop', usage: { prompt_tokens: 3, completion_tokens: 4 } },
  });
}

describe('POST /api/chat', () => {
  it('answers 503 with the served models when nobody serves the model', async () => {
    await registerNode(server.app, node, { nodeId: 'n1', models: ['llama3.2:1b'] });
    const response = await submit({ model: 'gpt-9', messages: [{ role: 'user', content: 'hi' }] });
    expect(response.status).toBe(503);
    const body = (await response.json()) as {
      error: { code: string; details: { served_models: string[] } };
    };
    expect(body.error.code).toBe('NO_CAPACITY');
    expect(body.error.details.served_models).toEqual(['llama3.2:1b']);
  });

  it('validates the body with a clear message', async () => {
    const response = await submit({ messages: [] });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(
      /messages/,
    );
  });

  it('picks a served model when none is named and returns a stream URL with its token', async () => {
    await registerNode(server.app, node, { nodeId: 'n1', models: ['llama3.2:1b'] });
    const response = await submit({ messages: [{ role: 'user', content: 'hi' }] });
    expect(response.status).toBe(201);
    const body = (await response.json()) as {
      jobId: string;
      model: string;
      streamUrl: string;
      streamToken: string;
    };
    expect(body.model).toBe('llama3.2:1b');
    expect(body.streamUrl).toBe(`/api/chat/stream/${body.jobId}?token=${body.streamToken}`);
  });
});

describe('GET /api/chat/stream/:jobId', () => {
  async function startJob() {
    await registerNode(server.app, node, { nodeId: 'streamer', models: ['m'] });
    const response = await submit({
      model: 'm',
      messages: [{ role: 'user', content: 'secret prompt' }],
    });
    const body = (await response.json()) as {
      jobId: string;
      streamUrl: string;
      streamToken: string;
    };
    const claimed = await claimOne();
    expect(claimed).toBe(body.jobId);
    return body;
  }

  it('streams job, meta, tokens and done with ids, and resumes after Last-Event-ID', async () => {
    const job = await startJob();
    await signedPost(server.app, node, `/api/v1/node/jobs/${job.jobId}/events`, {
      events: [{ event_type: 'meta', data: { engine: 'stub', provider_node_id: 'spoofed' } }],
    });
    await postTokens(job.jobId, ['Hel', 'lo']);
    await complete(job.jobId, 'Hello');

    const frames = parseSse(await (await server.app.request(job.streamUrl)).text());
    expect(frames.map((frame) => frame.event)).toEqual(['job', 'meta', 'token', 'token', 'done']);
    expect(frames.map((frame) => frame.id)).toEqual([undefined, '1', '2', '3', '4']);
    expect(JSON.parse(frames[1]!.data!)).toMatchObject({
      engine: 'stub',
      provider_node_id: 'streamer',
    });
    expect(JSON.parse(frames[4]!.data!)).toMatchObject({
      text: 'Hello',
      usage: { prompt_tokens: 3, completion_tokens: 4 },
    });
    expect(frames.map((frame) => frame.data).join('')).not.toContain('secret prompt');

    const resumed = parseSse(
      await (
        await server.app.request(`/api/chat/stream/${job.jobId}`, {
          headers: { authorization: `Bearer ${job.streamToken}`, 'last-event-id': '2' },
        })
      ).text(),
    );
    expect(resumed.map((frame) => frame.id)).toEqual([undefined, '3', '4']);
  });

  it('delivers tokens that arrive while the reader is connected, once each and in order', async () => {
    const job = await startJob();
    await postTokens(job.jobId, ['a']);
    const response = await server.app.request(job.streamUrl);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const readUntil = async (needle: string) => {
      while (!text.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${needle}`);
        text += decoder.decode(value, { stream: true });
      }
    };
    await readUntil('"a"');
    const writers = [postTokens(job.jobId, ['b', 'c']), postTokens(job.jobId, ['d'])];
    await Promise.all(writers);
    await complete(job.jobId, 'abcd');
    await readUntil('event: done');
    const frames = parseSse(text).filter((frame) => frame.event === 'token');
    const ids = frames.map((frame) => Number(frame.id));
    expect(ids).toEqual([1, 2, 3, 4]);
    expect(frames.map((frame) => JSON.parse(frame.data!).text).sort()).toEqual([
      'a',
      'b',
      'c',
      'd',
    ]);
  });

  it('sends keep-alive comments while the job is quiet', async () => {
    const job = await startJob();
    const response = await server.app.request(job.streamUrl);
    const reader = response.body!.getReader();
    let text = '';
    while (!text.includes(': keep-alive')) {
      const { value } = await reader.read();
      text += new TextDecoder().decode(value);
    }
    await reader.cancel();
    expect(text).toContain(': keep-alive');
  });

  it('holds at most 8 streams of one job open at once', async () => {
    const job = await startJob();
    const open = await Promise.all(
      Array.from({ length: 8 }, () => server.app.request(job.streamUrl)),
    );
    expect(open.map((response) => response.status)).toEqual(Array(8).fill(200));
    const ninth = await server.app.request(job.streamUrl);
    expect(ninth.status).toBe(429);
    expect(((await ninth.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
    await Promise.all(open.map((response) => response.body!.cancel()));
  });

  it('refuses a reader without the stream token', async () => {
    const job = await startJob();
    const wrong = await server.app.request(`/api/chat/stream/${job.jobId}?token=guess`);
    expect(wrong.status).toBe(403);
    const missing = await server.app.request(`/api/chat/stream/${job.jobId}`);
    expect(missing.status).toBe(401);
  });
});
