import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateKeyPair, signRequest } from '@infernet/auth';
import { createTestApp, parseSse, registerNode, signedPost, type TestApp } from '../testing';
import { bearer, cookieHeader, createApiKey, errorOf, signIn, signUp } from './account-testing';

let server: TestApp;
const node = generateKeyPair();
const PROMPT = `CANARY-PROMPT-${crypto.randomUUID()}`;

beforeEach(async () => {
  server = await createTestApp({ keepAliveMs: 50 });
});
afterEach(async () => {
  await server.close();
});

async function submitChat(headers: Record<string, string>) {
  return server.app.request('/api/chat', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: PROMPT }] }),
  });
}

async function queuedJob(headers: Record<string, string>) {
  const response = await submitChat(headers);
  expect(response.status).toBe(201);
  return (await response.json()) as { jobId: string; streamToken: string };
}

/** The node claims the job, streams two tokens and completes it. */
async function serve(jobId: string) {
  const poll = await signedPost(server.app, node, '/api/v1/node/jobs/poll', { wait: 0 });
  const claimed = ((await poll.json()) as { data: { jobs: { id: string }[] } }).data.jobs;
  expect(claimed.map((job) => job.id)).toEqual([jobId]);
  await signedPost(server.app, node, `/api/v1/node/jobs/${jobId}/events`, {
    events: [
      { event_type: 'meta', data: { model: 'm' } },
      { event_type: 'token', data: { text: 'secret ' } },
      { event_type: 'token', data: { text: 'answer' } },
    ],
  });
  const done = await signedPost(server.app, node, `/api/v1/node/jobs/${jobId}/complete`, {
    status: 'completed',
    result: {
      text: 'secret answer',
      reason: 'stop',
      usage: { prompt_tokens: 5, completion_tokens: 2 },
    },
  });
  expect(done.status).toBe(200);
}

function stream(jobId: string, headers: Record<string, string>, query = '') {
  return server.app.request(`/api/chat/stream/${jobId}${query}`, { headers });
}

describe('accounts', () => {
  it('signs up, reads the session, signs in, refuses a wrong password and signs out', async () => {
    const { cookie, accountId } = await signUp(server.app, 'ada@example.com', 'analytical engine');
    expect(cookie).toMatch(/^infernet\.session_token=/);
    const session = await server.app.request('/api/auth/get-session', { headers: { cookie } });
    expect(await session.json()).toMatchObject({
      user: { id: accountId, email: 'ada@example.com', name: 'ada' },
    });

    const wrong = await signIn(server.app, 'ada@example.com', 'difference engine');
    expect(await errorOf(wrong)).toEqual([401, 'CREDENTIALS_INVALID']);
    const signedIn = await signIn(server.app, 'ada@example.com', 'analytical engine');
    expect(signedIn.status).toBe(200);
    const secondCookie = cookieHeader(signedIn);
    expect(secondCookie).toMatch(/^infernet\.session_token=/);

    const again = await server.app.request('/api/auth/sign-up/email', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ada@example.com', password: 'another password' }),
    });
    expect(await errorOf(again)).toEqual([409, 'ACCOUNT_EXISTS']);
    const short = await server.app.request('/api/auth/sign-up/email', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'bob@example.com', password: 'short' }),
    });
    expect(await errorOf(short)).toEqual([400, 'BAD_REQUEST']);

    const out = await server.app.request('/api/auth/sign-out', {
      method: 'POST',
      headers: { cookie: secondCookie },
    });
    expect(out.status).toBe(200);
    const ended = await server.app.request('/api/auth/get-session', {
      headers: { cookie: secondCookie },
    });
    expect(await ended.json()).toBeNull();
    // Signing out ends that session only.
    const still = await server.app.request('/api/keys', { headers: { cookie } });
    expect(still.status).toBe(200);
  });

  it('limits sign-in attempts when asked to', async () => {
    await server.close();
    server = await createTestApp({ authRateLimit: true });
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 4; attempt += 1) {
      statuses.push((await signIn(server.app, 'nobody@example.com', 'guess number')).status);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
    const limited = await signIn(server.app, 'nobody@example.com', 'guess number');
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await errorOf(limited)).toEqual([429, 'RATE_LIMITED']);
  });
});

describe('API keys', () => {
  it('creates a key shown once, lists keys without it and revokes', async () => {
    const { cookie } = await signUp(server.app, 'keys@example.com');
    const created = await createApiKey(server.app, cookie, 'laptop');
    expect(created.key).toMatch(/^inf_[A-Za-z0-9_-]{43}$/);

    const listed = await server.app.request('/api/keys', { headers: { cookie } });
    const keys = ((await listed.json()) as { data: Record<string, unknown>[] }).data;
    expect(keys).toEqual([
      {
        id: created.id,
        name: 'laptop',
        prefix: created.key.slice(0, 12),
        created_at: expect.any(String),
        last_used_at: null,
      },
    ]);
    expect(JSON.stringify(keys)).not.toContain(created.key);

    const other = await signUp(server.app, 'other@example.com');
    const foreign = await server.app.request(`/api/keys/${created.id}`, {
      method: 'DELETE',
      headers: { cookie: other.cookie },
    });
    expect(await errorOf(foreign)).toEqual([404, 'NOT_FOUND']);
    const revoked = await server.app.request(`/api/keys/${created.id}`, {
      method: 'DELETE',
      headers: { cookie },
    });
    expect(await revoked.json()).toEqual({ data: { id: created.id, revoked: true } });
    const after = await server.app.request('/api/keys', { headers: { cookie } });
    expect(await after.json()).toEqual({ data: [] });
  });

  it('needs a session to manage keys; a key is not enough', async () => {
    const { cookie } = await signUp(server.app, 'session@example.com');
    const { key } = await createApiKey(server.app, cookie);
    expect(await errorOf(await server.app.request('/api/keys'))).toEqual([401, 'AUTH_MISSING']);
    const withKey = await server.app.request('/api/keys', { headers: bearer(key) });
    expect(await errorOf(withKey)).toEqual([401, 'AUTH_MISSING']);
    const crossSite = await server.app.request('/api/keys', {
      method: 'POST',
      headers: { cookie, origin: 'https://evil.example', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(await errorOf(crossSite)).toEqual([403, 'FORBIDDEN']);
  });

  it('refuses a revoked or unknown key with 401, in OpenAI shape under /v1', async () => {
    await registerNode(server.app, node, { nodeId: 'n1', models: ['m'] });
    const { cookie } = await signUp(server.app, 'revoke@example.com');
    const { id, key } = await createApiKey(server.app, cookie);
    expect((await submitChat(bearer(key))).status).toBe(201);
    await server.app.request(`/api/keys/${id}`, { method: 'DELETE', headers: { cookie } });

    expect(await errorOf(await submitChat(bearer(key)))).toEqual([401, 'API_KEY_INVALID']);
    const unknown = `inf_${'A'.repeat(43)}`;
    expect(await errorOf(await submitChat(bearer(unknown)))).toEqual([401, 'API_KEY_INVALID']);
    const openAi = await server.app.request('/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(key) },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(openAi.status).toBe(401);
    expect(await openAi.json()).toMatchObject({
      error: { type: 'authentication_error', code: 'api_key_invalid' },
    });
  });
});

describe('job ownership', () => {
  it('records the owning account of a job created with a key or a session', async () => {
    await registerNode(server.app, node, { nodeId: 'n1', models: ['m'] });
    const { cookie, accountId } = await signUp(server.app, 'owner@example.com');
    const { key } = await createApiKey(server.app, cookie);
    const withKey = await queuedJob(bearer(key));
    const withSession = await queuedJob({ cookie });
    const anonymous = await queuedJob({});
    expect((await server.db.jobs.findById(withKey.jobId))?.ownerAccountId).toBe(accountId);
    expect((await server.db.jobs.findById(withSession.jobId))?.ownerAccountId).toBe(accountId);
    expect((await server.db.jobs.findById(anonymous.jobId))?.ownerAccountId).toBeNull();
  });

  it('owns jobs created through /v1/chat/completions with a key', async () => {
    await registerNode(server.app, node, { nodeId: 'n1', models: ['m'] });
    const { cookie, accountId } = await signUp(server.app, 'openai@example.com');
    const { key } = await createApiKey(server.app, cookie);
    const pending = server.app.request('/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(key) },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: PROMPT }] }),
    });
    let jobId: string | undefined;
    while (!jobId) {
      const poll = await signedPost(server.app, node, '/api/v1/node/jobs/poll', { wait: 1 });
      jobId = ((await poll.json()) as { data: { jobs: { id: string }[] } }).data.jobs[0]?.id;
    }
    await signedPost(server.app, node, `/api/v1/node/jobs/${jobId}/complete`, {
      status: 'completed',
      result: { text: 'ok', reason: 'stop', usage: { prompt_tokens: 1, completion_tokens: 1 } },
    });
    expect((await pending).status).toBe(200);
    expect((await server.db.jobs.findById(jobId))?.ownerAccountId).toBe(accountId);
  });

  it('lets only the owner read or cancel a job: another key gets 403', async () => {
    await registerNode(server.app, node, { nodeId: 'n1', models: ['m'] });
    const owner = await signUp(server.app, 'mine@example.com');
    const ownerKey = (await createApiKey(server.app, owner.cookie)).key;
    const stranger = await signUp(server.app, 'theirs@example.com');
    const strangerKey = (await createApiKey(server.app, stranger.cookie)).key;
    const { jobId, streamToken } = await queuedJob(bearer(ownerKey));
    await serve(jobId);

    expect(await errorOf(await stream(jobId, bearer(strangerKey)))).toEqual([403, 'FORBIDDEN']);
    expect(await errorOf(await stream(jobId, { cookie: stranger.cookie }))).toEqual([
      403,
      'FORBIDDEN',
    ]);
    const cancel = await server.app.request(`/api/chat/${jobId}/cancel`, {
      method: 'POST',
      headers: bearer(strangerKey),
    });
    expect(await errorOf(cancel)).toEqual([403, 'FORBIDDEN']);
    expect(await errorOf(await stream(jobId, {}))).toEqual([401, 'AUTH_MISSING']);

    for (const headers of [bearer(ownerKey), { cookie: owner.cookie }, bearer(streamToken)]) {
      const response = await stream(jobId, headers);
      expect(response.status).toBe(200);
      const tokens = parseSse(await response.text()).filter((frame) => frame.event === 'token');
      expect(tokens.map((frame) => JSON.parse(frame.data!).text)).toEqual(['secret ', 'answer']);
    }
  });

  it('keeps an anonymous job readable with its stream token only', async () => {
    await registerNode(server.app, node, { nodeId: 'n1', models: ['m'] });
    const someone = await signUp(server.app, 'someone@example.com');
    const key = (await createApiKey(server.app, someone.cookie)).key;
    const { jobId, streamToken } = await queuedJob({});
    await serve(jobId);
    expect(await errorOf(await stream(jobId, bearer(key)))).toEqual([403, 'FORBIDDEN']);
    expect((await stream(jobId, {}, `?token=${streamToken}`)).status).toBe(200);
  });
});

describe('prompt retention', () => {
  it('deletes prompts and outputs after the retention time and keeps the metadata', async () => {
    const { runMaintenance } = await import('../maintenance');
    const { pino } = await import('pino');
    const sweep = (promptRetentionSeconds: number) =>
      runMaintenance({
        db: server.db,
        logger: pino({ level: 'silent' }),
        now: Date.now,
        abandonedStreamGraceSeconds: 30,
        promptRetentionSeconds,
      });
    const providerId = await registerNode(server.app, node, { nodeId: 'n1', models: ['m'] });
    const { jobId } = await queuedJob({});
    await serve(jobId);
    const unfinished = await queuedJob({});

    expect((await sweep(3600)).purged).toBe(0);
    expect(JSON.stringify(await server.db.jobs.findById(jobId))).toContain(PROMPT);

    expect((await sweep(0)).purged).toBe(1);
    const job = await server.db.jobs.findById(jobId);
    expect(job).toMatchObject({
      status: 'completed',
      model: 'm',
      providerId,
      deliveredTokens: 2,
      input: { messages: [] },
      result: { reason: 'stop', usage: { prompt_tokens: 5, completion_tokens: 2 } },
    });
    expect(job?.completedAt).toBeInstanceOf(Date);
    expect(job?.contentDeletedAt).toBeInstanceOf(Date);
    const events = await server.db.events.listAfter(jobId, 0, 100);
    expect(events.map((event) => event.type)).toEqual(['meta', 'done']);
    expect(JSON.stringify([job, events])).not.toMatch(/secret|answer|CANARY/);
    // A job still waiting keeps its prompt, and a second sweep has nothing left to do.
    expect(JSON.stringify(await server.db.jobs.findById(unfinished.jobId))).toContain(PROMPT);
    expect((await sweep(0)).purged).toBe(0);
  });

  it('never shows prompt text in public listings', async () => {
    await registerNode(server.app, node, { nodeId: 'n1', models: ['m'] });
    const { cookie } = await signUp(server.app, 'public@example.com');
    await queuedJob({ cookie });
    await queuedJob({});
    const listings = await Promise.all(
      ['/api/overview', '/api/providers', '/api/models', '/v1/models'].map(async (path) =>
        (await server.app.request(path)).text(),
      ),
    );
    expect(listings.join('\n')).not.toContain(PROMPT);
    expect(listings.join('\n')).not.toContain('public@example.com');
  });
});

describe('node linking', () => {
  function linkRequest(key: typeof node, cookie?: string) {
    const body = '{}';
    const { header } = signRequest({
      method: 'POST',
      path: '/api/nodes/link',
      body,
      privateKey: key.privateKey,
      createdAt: Math.floor(Date.now() / 1000),
    });
    return server.app.request('/api/nodes/link', {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'x-infernet-auth': header,
        ...(cookie ? { cookie } : {}),
      },
    });
  }

  it('links a node to the signed-in operator with the node key and a session together', async () => {
    const providerId = await registerNode(server.app, node, { nodeId: 'n1', models: ['m'] });
    const operator = await signUp(server.app, 'operator@example.com');
    const rival = await signUp(server.app, 'rival@example.com');

    expect(await errorOf(await linkRequest(node))).toEqual([401, 'AUTH_MISSING']);
    const unsigned = await server.app.request('/api/nodes/link', {
      method: 'POST',
      headers: { cookie: operator.cookie },
    });
    expect(await errorOf(unsigned)).toEqual([401, 'AUTH_MISSING']);

    const linked = await linkRequest(node, operator.cookie);
    expect(await linked.json()).toEqual({
      data: { id: providerId, account_id: operator.accountId },
    });
    expect((await linkRequest(node, operator.cookie)).status).toBe(200);
    expect(await errorOf(await linkRequest(node, rival.cookie))).toEqual([403, 'FORBIDDEN']);
    const unregistered = await linkRequest(generateKeyPair(), operator.cookie);
    expect(await errorOf(unregistered)).toEqual([404, 'NODE_NOT_REGISTERED']);
  });
});
