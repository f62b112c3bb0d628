import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateKeyPair, signRequest } from '@infernet/auth';
import { LEASE_HEADER_NAME } from '@infernet/protocol';
import { waitFor } from '@infernet/testkit';
import { claimWithLongPoll } from '../job-polling';
import {
  createTestApp,
  pollJobs,
  registerNode,
  signedPost,
  submitChat,
  type TestApp,
} from '../testing';

let server: TestApp;
beforeEach(async () => {
  server = await createTestApp();
});
afterEach(async () => {
  await server.close();
});

const submit = (model: string) => submitChat(server.app, model);
const poll = async (key: ReturnType<typeof generateKeyPair>, body: object) =>
  (await pollJobs(server.app, key, body)).jobs;

describe('signed node API', () => {
  it('refuses a replayed header and a missing one', async () => {
    const key = generateKeyPair();
    const body = JSON.stringify({ role: 'provider' });
    const { header } = signRequest({
      method: 'POST',
      path: '/api/v1/node/me',
      body,
      privateKey: key.privateKey,
      createdAt: Math.floor(Date.now() / 1000),
    });
    const send = (headers: Record<string, string>) =>
      server.app.request('/api/v1/node/me', { method: 'POST', body, headers });
    expect((await send({ 'x-infernet-auth': header })).status).toBe(200);
    const replayed = await send({ 'x-infernet-auth': header });
    expect(replayed.status).toBe(401);
    expect(((await replayed.json()) as { error: { code: string } }).error.code).toBe(
      'AUTH_REPLAYED_NONCE',
    );
    const missing = await send({});
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('AUTH_MISSING');
  });

  it('refuses a body that differs from the signed one', async () => {
    const key = generateKeyPair();
    const { header } = signRequest({
      method: 'POST',
      path: '/api/v1/node/me',
      body: '{}',
      privateKey: key.privateKey,
      createdAt: Math.floor(Date.now() / 1000),
    });
    const response = await server.app.request('/api/v1/node/me', {
      method: 'POST',
      body: '{"role":"client"}',
      headers: { 'x-infernet-auth': header },
    });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      'AUTH_BAD_SIGNATURE',
    );
  });

  it('keeps only coarse GPU capability from register and heartbeat', async () => {
    const key = generateKeyPair();
    const specs = {
      gpus: [
        {
          vendor: 'nvidia',
          vram_tier: '>=48gb',
          model: 'H100',
          uuid: 'GPU-123',
          memory_total_mb: 81559,
        },
      ],
      gpu_count: 1,
      served_models: ['qwen2.5:7b'],
      hostname: 'box-17.internal',
      cpu_model: 'EPYC 9654',
      ram_total_gb: 512,
      platform: 'linux',
    };
    await signedPost(server.app, key, '/api/v1/node/register', {
      role: 'provider',
      node_id: 'node-a',
      specs,
      hostname: 'box-17.internal',
    });
    await signedPost(server.app, key, '/api/v1/node/heartbeat', { role: 'provider', specs });
    const me = await signedPost(server.app, key, '/api/v1/node/me', { role: 'provider' });
    const row = ((await me.json()) as { data: { row: Record<string, unknown> } }).data.row;
    expect(row.specs).toEqual({
      gpus: [{ vendor: 'nvidia', vram_tier: '>=48gb', model: 'H100' }],
      gpu_count: 1,
      served_models: ['qwen2.5:7b'],
    });
    expect(JSON.stringify(row)).not.toMatch(
      /box-17|EPYC|ram_total|cpu_model|GPU-123|linux|hostname/,
    );
  });

  it('refuses a node_id that belongs to another key', async () => {
    await registerNode(server.app, generateKeyPair(), { nodeId: 'shared-id', models: [] });
    const response = await signedPost(server.app, generateKeyPair(), '/api/v1/node/register', {
      role: 'provider',
      node_id: 'shared-id',
    });
    expect(response.status).toBe(403);
  });

  it('lets a node touch only the jobs it holds', async () => {
    const owner = generateKeyPair();
    const intruder = generateKeyPair();
    await registerNode(server.app, owner, { nodeId: 'owner', models: ['m'] });
    await registerNode(server.app, intruder, { nodeId: 'intruder', models: ['other'] });
    const { jobId } = await submit('m');
    expect((await poll(owner, { wait: 0 })).map((job) => job.id)).toEqual([jobId]);

    const events = { events: [{ event_type: 'token', data: { text: 'stolen' } }] };
    const intrusion = await signedPost(
      server.app,
      intruder,
      `/api/v1/node/jobs/${jobId}/events`,
      events,
    );
    expect(intrusion.status).toBe(403);
    const completion = await signedPost(
      server.app,
      intruder,
      `/api/v1/node/jobs/${jobId}/complete`,
      {
        status: 'completed',
        result: { text: 'stolen' },
      },
    );
    expect(completion.status).toBe(403);
    expect((await server.db.jobs.findById(jobId))?.status).toBe('assigned');
    expect(await server.db.events.listAfter(jobId, 0, 10)).toEqual([]);
  });

  it('never hands one job to two nodes polling the same model', async () => {
    const nodes = [generateKeyPair(), generateKeyPair(), generateKeyPair()];
    for (const [index, key] of nodes.entries()) {
      await registerNode(server.app, key, { nodeId: `racer-${index}`, models: ['shared'] });
    }
    const submitted: string[] = [];
    const received: string[] = [];
    for (let round = 0; round < 8; round += 1) {
      const batch = await Promise.all(Array.from({ length: 10 }, () => submit('shared')));
      submitted.push(...batch.map((job) => job.jobId));
      const claims = await Promise.all(nodes.map((key) => poll(key, { limit: 4, wait: 0 })));
      const more = await Promise.all(nodes.map((key) => poll(key, { limit: 4, wait: 0 })));
      received.push(...[...claims, ...more].flat().map((job) => job.id));
    }
    expect(new Set(received).size).toBe(received.length);
    expect([...received].sort()).toEqual([...submitted].sort());
  });

  it('wakes a long-polling node as soon as a job is submitted', async () => {
    const key = generateKeyPair();
    await registerNode(server.app, key, { nodeId: 'waiter', models: ['m'] });
    const pending = poll(key, { wait: 25 });
    // The poll is parked when no job is queued; the submit is what must release it.
    const { jobId } = await submit('m');
    expect((await pending).map((job) => job.id)).toEqual([jobId]);
  });

  it('hands a job submitted here straight to the parked poll, with a working lease token', async () => {
    const key = generateKeyPair();
    await registerNode(server.app, key, { nodeId: 'waiter', models: ['m'] });
    const pending = poll(key, { wait: 25 });
    await waitFor(() => server.dependencies.waitingPolls.size === 1);
    const { jobId } = await submit('m');
    const [handed] = await pending;
    expect(handed).toMatchObject({ id: jobId, fencing_token: 1, attempt: 1 });
    const stored = (await server.db.jobs.findById(jobId))!;
    expect(stored.status).toBe('assigned');
    // Stored already claimed, by the submit's own statement: no claim came later.
    expect(stored.assignedAt).toEqual(stored.createdAt);
    const events = await server.app.request(`/api/v1/node/jobs/${jobId}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [LEASE_HEADER_NAME]: handed!.lease_token! },
      body: JSON.stringify({ events: [{ event_type: 'token', data: { text: 'hi' } }], batch: 1 }),
    });
    expect(events.status).toBe(200);
  });

  it('queues a job handed to a poll whose node hung up, without counting an attempt', async () => {
    const key = generateKeyPair();
    const providerId = await registerNode(server.app, key, { nodeId: 'gone', models: ['m'] });
    const provider = (await server.db.providers.findByPublicKey(key.publicKey))!;
    const hangUp = new AbortController();
    const polling = claimWithLongPoll(server.dependencies, {
      provider,
      limit: 1,
      waitSeconds: 25,
      signal: hangUp.signal,
    });
    await waitFor(() => server.dependencies.waitingPolls.size === 1);
    // The node hangs up while the submit that took its poll is storing the job.
    const taken = server.dependencies.waitingPolls.take('m')!;
    hangUp.abort();
    const stored = await server.db.jobs.submitChat({
      model: 'm',
      title: 'chat · m',
      input: { messages: [{ role: 'user', content: 'hi' }], max_tokens: 8, temperature: 0 },
      streamTokenHash: 'a'.repeat(64),
      requireLiveProviderWithinSeconds: 60,
      maxQueuedPerModel: 10,
      queueDeadlineSeconds: 60,
      handOffTo: { providerId, leaseSeconds: 30 },
    });
    if (!stored.ok) throw new Error('submitted');
    taken.settle(stored.job);
    expect(await polling).toEqual([]);
    expect(await server.db.jobs.findById(stored.job.id)).toMatchObject({
      status: 'queued',
      providerId: null,
      attempts: 0,
    });
  });

  it('makes completion idempotent and refuses events after it', async () => {
    const key = generateKeyPair();
    await registerNode(server.app, key, { nodeId: 'finisher', models: ['m'] });
    const { jobId } = await submit('m');
    await poll(key, { wait: 0 });
    const body = {
      status: 'completed',
      result: { text: 'hi', usage: { prompt_tokens: 1, completion_tokens: 1 } },
    };
    const first = await signedPost(server.app, key, `/api/v1/node/jobs/${jobId}/complete`, body);
    const second = await signedPost(server.app, key, `/api/v1/node/jobs/${jobId}/complete`, body);
    expect(await first.json()).toEqual(await second.json());
    const done = (await server.db.events.listAfter(jobId, 0, 10)).filter(
      (event) => event.type === 'done',
    );
    expect(done).toHaveLength(1);
    const late = await signedPost(server.app, key, `/api/v1/node/jobs/${jobId}/events`, {
      events: [{ event_type: 'token', data: { text: 'late' } }],
    });
    expect(late.status).toBe(409);
  });

  it('answers a malformed job id with 404 and bad JSON with 400', async () => {
    const key = generateKeyPair();
    await registerNode(server.app, key, { nodeId: 'n', models: ['m'] });
    const notFound = await signedPost(server.app, key, '/api/v1/node/jobs/not-a-uuid/complete', {
      status: 'failed',
    });
    expect(notFound.status).toBe(404);
    const invalid = await signedPost(server.app, key, '/api/v1/node/jobs/poll', { limit: 500 });
    expect(invalid.status).toBe(400);
    const body = (await invalid.json()) as {
      error: { code: string; message: string; requestId: string };
    };
    expect(body.error.code).toBe('BAD_REQUEST');
    expect(body.error.message).toMatch(/limit/);
    expect(body.error.requestId).toBe(invalid.headers.get('x-request-id'));
  });
});
