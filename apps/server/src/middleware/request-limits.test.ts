import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPair, type KeyPair } from '@infernet/auth';
import type { LimitSettings } from '../limits/limit-settings';
import { createTestApp, registerNode, signedPost, signedPostInit, type TestApp } from '../testing';

const MODEL = 'limits-model';
const ADDRESS = '203.0.113.7';
const OTHER_ADDRESS = '198.51.100.9';

let server: TestApp | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(limits: Partial<LimitSettings>): Promise<TestApp> {
  server = await createTestApp({ limits, keepAliveMs: 60_000 });
  return server;
}

/** What @hono/node-server hands the app with each request: the socket it came in on. */
function fromAddress(address: string) {
  return { incoming: { socket: { remoteAddress: address, remotePort: 40_000 } } };
}

function userMessages(count: number) {
  return Array.from({ length: count }, (_, index) => ({ role: 'user', content: `m${index}` }));
}

function postJson(app: TestApp['app'], path: string, body: unknown, address = ADDRESS) {
  return app.request(
    path,
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
    fromAddress(address),
  );
}

function submitChat(app: TestApp['app'], address = ADDRESS, messageCount = 1) {
  return postJson(
    app,
    '/api/chat',
    { model: MODEL, messages: userMessages(messageCount) },
    address,
  );
}

/** A signed node request arriving from `address`. */
function signedPostFrom(
  app: TestApp['app'],
  key: KeyPair,
  path: string,
  body: unknown,
  address: string,
) {
  return app.request(path, signedPostInit(key, path, body), fromAddress(address));
}

const registration = (nodeId: string) => ({
  role: 'provider',
  node_id: nodeId,
  name: nodeId,
  specs: { gpus: [], gpu_count: 0, served_models: [MODEL] },
});

async function errorOf(response: Response) {
  return ((await response.json()) as { error: { code: string; message: string } }).error;
}

/** A 429 that says when to retry, in the header and in words. */
async function expectRateLimited(response: Response): Promise<string> {
  expect(response.status).toBe(429);
  const retryAfter = Number(response.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter) && retryAfter >= 1).toBe(true);
  const error = await errorOf(response);
  expect(error.code).toBe('RATE_LIMITED');
  expect(error.message).toMatch(/retry/i);
  return error.message;
}

describe('consumer limits', () => {
  it('refuses the chat submission past the limit with 429 and Retry-After; another address is unaffected', async () => {
    const { app } = await start({ chatSubmitsPerMinute: 3 });
    await registerNode(app, generateKeyPair(), { nodeId: 'node-a', models: [MODEL] });
    for (let count = 0; count < 3; count += 1) expect((await submitChat(app)).status).toBe(201);
    const refused = await submitChat(app);
    const message = await expectRateLimited(refused);
    expect(message).toMatch(
      /Too many chat requests from this address: at most 3 per minute\. Retry in \d+ s\./,
    );
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect((await submitChat(app, OTHER_ADDRESS)).status).toBe(201);
  });

  it('counts every consumer request and refuses in OpenAI’s shape under /v1', async () => {
    const { app } = await start({ consumerRequestsPerMinute: 2 });
    const models = () => app.request('/v1/models', {}, fromAddress(ADDRESS));
    expect((await models()).status).toBe(200);
    expect((await models()).status).toBe(200);
    const refused = await models();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const body = (await refused.json()) as {
      error: { type: string; code: string; message: string };
    };
    expect(body.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limited' });
    expect(body.error.message).toMatch(/at most 2 per minute/);
    expect((await app.request('/v1/models', {}, fromAddress(OTHER_ADDRESS))).status).toBe(200);
  });

  it('refuses a chat with more messages than allowed with 413, on both chat APIs', async () => {
    const { app } = await start({ maxChatMessages: 3 });
    await registerNode(app, generateKeyPair(), { nodeId: 'node-a', models: [MODEL] });
    expect((await submitChat(app, ADDRESS, 3)).status).toBe(201);
    const refused = await submitChat(app, ADDRESS, 4);
    expect(refused.status).toBe(413);
    const error = await errorOf(refused);
    expect(error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(error.message).toContain('This request has 4 messages; at most 3 are accepted.');
    const openAi = await postJson(app, '/v1/chat/completions', {
      model: MODEL,
      messages: userMessages(4),
    });
    expect(openAi.status).toBe(413);
    expect(((await openAi.json()) as { error: { param: string } }).error.param).toBe('messages');
  });

  it('caps the streams one consumer holds open and frees a slot when one closes', async () => {
    const { app } = await start({ streamsPerConsumer: 2 });
    await registerNode(app, generateKeyPair(), { nodeId: 'node-a', models: [MODEL] });
    const jobs = [];
    for (let count = 0; count < 3; count += 1) {
      jobs.push(((await (await submitChat(app)).json()) as { streamUrl: string }).streamUrl);
    }
    const open = (url: string, address = ADDRESS) => app.request(url, {}, fromAddress(address));
    const first = await open(jobs[0]!);
    const second = await open(jobs[1]!);
    expect([first.status, second.status]).toEqual([200, 200]);
    const message = await expectRateLimited(await open(jobs[2]!));
    expect(message).toMatch(/At most 2 streams/);
    const elsewhere = await open(jobs[2]!, OTHER_ADDRESS);
    expect(elsewhere.status).toBe(200);
    await first.body!.cancel();
    const third = await open(jobs[2]!);
    expect(third.status).toBe(200);
    await Promise.all([second, third, elsewhere].map((response) => response.body!.cancel()));
  });
});

describe('node limits', () => {
  it('limits control requests per verified node key; another key is unaffected', async () => {
    const { app } = await start({ nodeRequestsPerMinute: 3 });
    const [key, otherKey] = [generateKeyPair(), generateKeyPair()];
    await registerNode(app, key, { nodeId: 'node-a', models: [MODEL] });
    const heartbeat = (signer: KeyPair) => signedPost(app, signer, '/api/v1/node/heartbeat', {});
    expect((await heartbeat(key)).status).toBe(200);
    expect((await heartbeat(key)).status).toBe(200);
    const message = await expectRateLimited(await heartbeat(key));
    expect(message).toMatch(/Too many node requests for this node key: at most 3 per minute/);
    await registerNode(app, otherKey, { nodeId: 'node-b', models: [MODEL] });
    expect((await heartbeat(otherKey)).status).toBe(200);
  });

  it('counts token batches apart from control requests, in memory per second', async () => {
    const { app } = await start({ nodeRequestsPerMinute: 3, nodeJobWritesPerSecond: 3 });
    const key = generateKeyPair();
    await registerNode(app, key, { nodeId: 'node-a', models: [MODEL] });
    expect((await submitChat(app)).status).toBe(201);
    const polled = await signedPost(app, key, '/api/v1/node/jobs/poll', { limit: 1 });
    const [job] = ((await polled.json()) as { data: { jobs: { id: string }[] } }).data.jobs;
    const postTokens = (batch: number) =>
      signedPost(app, key, `/api/v1/node/jobs/${job!.id}/events`, {
        batch,
        events: [{ event_type: 'token', data: { text: `t${batch}` } }],
      });
    for (let batch = 1; batch <= 3; batch += 1) expect((await postTokens(batch)).status).toBe(200);
    const message = await expectRateLimited(await postTokens(4));
    expect(message).toMatch(/Too many job updates for this node key: at most 3 per second/);
    // Register and poll were the only control requests so far.
    expect((await signedPost(app, key, '/api/v1/node/heartbeat', {})).status).toBe(200);
  });

  it('limits registrations per address, whatever keys they are signed with', async () => {
    const { app } = await start({ nodeRegistrationsPerMinute: 2 });
    const register = (nodeId: string, address = ADDRESS) =>
      signedPostFrom(
        app,
        generateKeyPair(),
        '/api/v1/node/register',
        registration(nodeId),
        address,
      );
    expect((await register('node-a')).status).toBe(200);
    expect((await register('node-b')).status).toBe(200);
    const message = await expectRateLimited(await register('node-c'));
    expect(message).toMatch(/Too many node registrations from this address/);
    expect((await register('node-d', OTHER_ADDRESS)).status).toBe(200);
  });

  it('turns away a flood from one address before checking signatures', async () => {
    const { app } = await start({ nodeAddressRequestsPerSecond: 2 });
    const unsigned = (address = ADDRESS) =>
      app.request('/api/v1/node/me', { method: 'POST', body: '{}' }, fromAddress(address));
    expect((await unsigned()).status).toBe(401);
    expect((await unsigned()).status).toBe(401);
    await expectRateLimited(await unsigned());
    expect((await unsigned(OTHER_ADDRESS)).status).toBe(401);
  });
});
