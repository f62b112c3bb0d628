import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateKeyPair, type KeyPair } from '@infernet/auth';
import { NIM_FALLBACK_PROVIDER } from '@infernet/db';
import { createTestApp, registerGpuNode, signedPost, type TestApp } from '../testing';

let server: TestApp;
beforeEach(async () => {
  server = await createTestApp();
});
afterEach(async () => {
  await server.close();
});

async function register(key: KeyPair, nodeId: string, listed?: boolean) {
  const response = await registerGpuNode(server.app, key, nodeId, {
    address: '198.51.100.4',
    gpu: { vram_tier: '>=48gb', model: 'H100' },
    ...(listed === undefined ? {} : { listed }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: { id: string } }).data.id;
}

async function json(path: string) {
  const response = await server.app.request(path);
  return { status: response.status, body: (await response.json()) as { data: unknown } };
}

/** A chat job the node claims, streams `tokens` tokens of and completes. */
async function serveJob(key: KeyPair, tokens: number) {
  const submitted = await server.app.request('/api/chat', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hello' }] }),
  });
  const { jobId } = (await submitted.json()) as { jobId: string };
  await signedPost(server.app, key, '/api/v1/node/jobs/poll', { wait: 0 });
  await signedPost(server.app, key, `/api/v1/node/jobs/${jobId}/events`, {
    events: Array.from({ length: tokens }, () => ({ event_type: 'token', data: { text: 'x' } })),
  });
  const done = await signedPost(server.app, key, `/api/v1/node/jobs/${jobId}/complete`, {
    status: 'completed',
    result: { text: 'x'.repeat(tokens) },
  });
  expect(done.status).toBe(200);
}

describe('node listing', () => {
  it('keeps a node registered with listed: false out of the lists and its detail, but counts it', async () => {
    const shown = generateKeyPair();
    const hidden = generateKeyPair();
    const shownId = await register(shown, 'shown');
    const hiddenId = await register(hidden, 'hidden', false);

    const providers = await json('/api/providers');
    expect((providers.body.data as { id: string }[]).map((node) => node.id)).toEqual([shownId]);
    expect(await json(`/api/providers/${hiddenId}`)).toMatchObject({
      status: 404,
      body: { error: { code: 'NOT_FOUND' } },
    });
    const overview = await json('/api/overview');
    expect(overview.body.data).toMatchObject({
      nodes_online: 2,
      nodes_total: 2,
      models: [{ name: 'm', nodes: 2 }],
      vram_tiers: [{ tier: '>=48gb', gpus: 2 }],
    });
    expect(JSON.stringify([providers, overview])).not.toContain('hidden');

    // The node sees its own choice, and registering again without it lists the node.
    const me = await signedPost(server.app, hidden, '/api/v1/node/me', {});
    expect(((await me.json()) as { data: { row: { listed: boolean } } }).data.row.listed).toBe(
      false,
    );
    await register(hidden, 'hidden');
    expect((await json(`/api/providers/${hiddenId}`)).status).toBe(200);
  });

  it("shows one listed node's coarse detail with its recent work", async () => {
    const key = generateKeyPair();
    const providerId = await register(key, 'edge-07');
    await serveJob(key, 3);
    await serveJob(key, 2);

    const detail = await json(`/api/providers/${providerId}`);
    expect(detail).toEqual({
      status: 200,
      body: {
        data: {
          id: providerId,
          name: 'edge-07',
          status: 'available',
          online: true,
          gpus: [{ vendor: 'nvidia', vram_tier: '>=48gb', model: 'H100' }],
          gpu_count: 1,
          models: ['m'],
          last_seen: expect.any(String),
          first_seen_at: expect.any(String),
          jobs_completed: 2,
          jobs_completed_last_hour: 2,
          tokens_served_last_hour: 5,
        },
      },
    });
    expect(JSON.stringify(detail)).not.toMatch(/198\.51\.100\.4|public_key|hello/);
  });

  it('answers 404 for an unknown id, a malformed one and the fallback row', async () => {
    for (const id of [crypto.randomUUID(), 'not-a-uuid', NIM_FALLBACK_PROVIDER.id]) {
      const response = await json(`/api/providers/${id}`);
      expect(response).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
    }
  });

  it('refuses a listed flag that is not a boolean', async () => {
    const response = await signedPost(server.app, generateKeyPair(), '/api/v1/node/register', {
      node_id: 'odd',
      listed: 'no',
    });
    expect(response.status).toBe(400);
  });
});

describe('network throughput', () => {
  it("reports tokens per second over the last minute's completed jobs", async () => {
    const quiet = await json('/api/overview');
    expect(quiet.body.data).toMatchObject({ tokens_per_second: 0, throughput_window_seconds: 60 });
    const key = generateKeyPair();
    await register(key, 'busy');
    await serveJob(key, 30);
    await serveJob(key, 6);
    const busy = await json('/api/overview');
    // 36 tokens over 60 seconds.
    expect(busy.body.data).toMatchObject({
      tokens_per_second: 0.6,
      jobs: { completed: 2 },
    });
  });
});
