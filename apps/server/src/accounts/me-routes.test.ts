import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateKeyPair, type KeyPair } from '@infernet/auth';
import { providerAccount } from '@infernet/db';
import { createTestApp, registerGpuNode, signedPost, type TestApp } from '../testing';
import { bearer, createApiKey, errorOf, signUp, submitChat } from './account-testing';

let server: TestApp;
const PROMPT = `CANARY-PROMPT-${crypto.randomUUID()}`;
const OUTPUT = `CANARY-OUTPUT-${crypto.randomUUID()}`;

beforeEach(async () => {
  // 1000 per million tokens: two tokens earn 0.002.
  server = await createTestApp({ pricePerMillionTokens: '1000' });
});
afterEach(async () => {
  await server.close();
});

async function read<T>(path: string, headers: Record<string, string>): Promise<T> {
  const response = await server.app.request(path, { headers });
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: T }).data;
}

/** Registers a node with one NVIDIA GPU and links it to the account. */
async function linkedNode(key: KeyPair, nodeId: string, accountId: string) {
  const response = await registerGpuNode(server.app, key, nodeId, {
    address: '203.0.113.9',
    gpu: { vram_tier: '24-48gb', model: 'RTX 4090' },
  });
  expect(response.status).toBe(200);
  const linked = await server.db.accounts.linkProvider(key.publicKey, accountId);
  if (!linked.ok) throw new Error(`link failed: ${linked.reason}`);
  return linked.providerId;
}

async function claim(key: KeyPair, jobId: string) {
  const poll = await signedPost(server.app, key, '/api/v1/node/jobs/poll', { wait: 0 });
  const claimed = ((await poll.json()) as { data: { jobs: { id: string }[] } }).data.jobs;
  expect(claimed.map((job) => job.id)).toEqual([jobId]);
}

/** The node claims the job, streams two tokens and completes it. */
async function serve(key: KeyPair, jobId: string) {
  await claim(key, jobId);
  await signedPost(server.app, key, `/api/v1/node/jobs/${jobId}/events`, {
    events: [
      { event_type: 'token', data: { text: `${OUTPUT} ` } },
      { event_type: 'token', data: { text: 'end' } },
    ],
  });
  const done = await signedPost(server.app, key, `/api/v1/node/jobs/${jobId}/complete`, {
    status: 'completed',
    result: { text: `${OUTPUT} end`, usage: { prompt_tokens: 5, completion_tokens: 2 } },
  });
  expect(done.status).toBe(200);
}

async function failJob(key: KeyPair, jobId: string, error: string) {
  await claim(key, jobId);
  const failed = await signedPost(server.app, key, `/api/v1/node/jobs/${jobId}/complete`, {
    status: 'failed',
    error,
  });
  expect(failed.status).toBe(200);
}

describe('GET /api/me', () => {
  it('shows the signed-in account to its session only', async () => {
    const { cookie, accountId } = await signUp(server.app, 'me@example.com');
    expect(await read('/api/me', { cookie })).toEqual({
      id: accountId,
      email: 'me@example.com',
      name: 'me',
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    const { key } = await createApiKey(server.app, cookie);
    expect(await errorOf(await server.app.request('/api/me', { headers: bearer(key) }))).toEqual([
      401,
      'AUTH_MISSING',
    ]);
    expect(await errorOf(await server.app.request('/api/me'))).toEqual([401, 'AUTH_MISSING']);
  });
});

describe("the operator's nodes and jobs", () => {
  it('lists my nodes with status, coarse GPUs, totals and earnings that match the ledger', async () => {
    const operator = await signUp(server.app, 'operator@example.com');
    const node = generateKeyPair();
    const providerId = await linkedNode(node, 'edge-01', operator.accountId);
    const { key } = await createApiKey(server.app, operator.cookie);

    const empty = await read<unknown[]>('/api/me/nodes', bearer(key));
    expect(empty).toEqual([
      {
        id: providerId,
        name: 'edge-01',
        status: 'online',
        last_seen_at: expect.any(String),
        listed: true,
        models: ['m'],
        gpus: [{ vendor: 'nvidia', vram_tier: '24-48gb' }],
        jobs_completed: 0,
        tokens_served: 0,
        earnings: { amount: '0', unit: 'credits' },
      },
    ]);

    await serve(node, await submitChat(server.app, PROMPT));
    await serve(node, await submitChat(server.app, PROMPT));
    const [mine] = await read<
      { jobs_completed: number; tokens_served: number; earnings: unknown }[]
    >('/api/me/nodes', { cookie: operator.cookie });
    const balance = await server.db.ledger.balance(providerAccount(providerId));
    expect(balance).toBe('0.004');
    expect(mine).toMatchObject({
      jobs_completed: 2,
      tokens_served: 4,
      earnings: { amount: balance, unit: 'credits' },
    });
    // Nothing that could locate the machine or name its card.
    expect(JSON.stringify(mine)).not.toMatch(/203\.0\.113\.9|RTX|public_key/);
  });

  it('shows a node offline once its heartbeat is older than the liveness window', async () => {
    const operator = await signUp(server.app, 'late@example.com');
    await linkedNode(generateKeyPair(), 'late-node', operator.accountId);
    const realNow = server.dependencies.now;
    server.dependencies.now = () => realNow() + (server.dependencies.livenessSeconds + 5) * 1000;
    const [node] = await read<{ status: string }[]>('/api/me/nodes', { cookie: operator.cookie });
    expect(node?.status).toBe('offline');
  });

  it('lists the recent jobs my nodes served with why they failed, never prompt or output', async () => {
    const operator = await signUp(server.app, 'jobs@example.com');
    const node = generateKeyPair();
    const providerId = await linkedNode(node, 'worker', operator.accountId);
    const completed = await submitChat(server.app, PROMPT);
    await serve(node, completed);
    const failed = await submitChat(server.app, PROMPT);
    await failJob(node, failed, 'CUDA out of memory');
    const cancelled = await submitChat(server.app, PROMPT);
    await claim(node, cancelled);
    expect((await server.db.jobs.cancel(cancelled, 'Cancelled by the consumer.')).ok).toBe(true);

    const response = await server.app.request('/api/me/jobs?limit=50', {
      headers: { cookie: operator.cookie },
    });
    const text = await response.text();
    expect(text).not.toContain(PROMPT);
    expect(text).not.toContain(OUTPUT);
    const jobs = (JSON.parse(text) as { data: Record<string, unknown>[] }).data;
    expect(jobs.map((job) => job.id)).toEqual([cancelled, failed, completed]);
    expect(jobs[2]).toEqual({
      id: completed,
      model: 'm',
      status: 'completed',
      provider_id: providerId,
      created_at: expect.any(String),
      completed_at: expect.any(String),
      tokens: 2,
      failure: null,
    });
    expect(jobs[1]).toMatchObject({
      status: 'failed',
      failure: { code: 'ENGINE_ERROR', message: 'CUDA out of memory' },
    });
    expect(jobs[0]).toMatchObject({
      status: 'cancelled',
      failure: { code: 'CANCELLED', message: 'Cancelled by the consumer.' },
    });

    const one = await read<unknown[]>('/api/me/jobs?limit=1', { cookie: operator.cookie });
    expect(one).toHaveLength(1);
    for (const limit of ['0', '201', 'many']) {
      const refused = await server.app.request(`/api/me/jobs?limit=${limit}`, {
        headers: { cookie: operator.cookie },
      });
      expect(await errorOf(refused)).toEqual([400, 'BAD_REQUEST']);
    }
  });

  it("shows another account's key none of my nodes or jobs", async () => {
    const operator = await signUp(server.app, 'owner@example.com');
    const node = generateKeyPair();
    await linkedNode(node, 'mine', operator.accountId);
    await serve(node, await submitChat(server.app, PROMPT));
    const stranger = await signUp(server.app, 'stranger@example.com');
    const strangerKey = (await createApiKey(server.app, stranger.cookie)).key;
    await linkedNode(generateKeyPair(), 'theirs', stranger.accountId);

    const nodes = await read<{ name: string }[]>('/api/me/nodes', bearer(strangerKey));
    expect(nodes.map((entry) => entry.name)).toEqual(['theirs']);
    expect(await read('/api/me/jobs', bearer(strangerKey))).toEqual([]);
    expect(await read<unknown[]>('/api/me/jobs', { cookie: operator.cookie })).toHaveLength(1);
  });

  it('refuses a missing, unknown or revoked key', async () => {
    const operator = await signUp(server.app, 'keys@example.com');
    const { id, key } = await createApiKey(server.app, operator.cookie);
    await server.app.request(`/api/keys/${id}`, {
      method: 'DELETE',
      headers: { cookie: operator.cookie },
    });
    for (const path of ['/api/me/nodes', '/api/me/jobs']) {
      expect(await errorOf(await server.app.request(path))).toEqual([401, 'AUTH_MISSING']);
      const revoked = await server.app.request(path, { headers: bearer(key) });
      expect(await errorOf(revoked)).toEqual([401, 'API_KEY_INVALID']);
    }
  });
});
