import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateKeyPair } from '@infernet/auth';
import { LEASE_HEADER_NAME } from '@infernet/protocol';
import {
  createTestApp,
  pollJobs,
  registerNode,
  signedPost,
  submitChat,
  type PolledJob,
  type TestApp,
} from '../testing';

let server: TestApp;
beforeEach(async () => {
  server = await createTestApp();
});
afterEach(async () => {
  await server.close();
});

const MODEL = 'lease-model';

async function submitAndClaim(key: ReturnType<typeof generateKeyPair>): Promise<PolledJob> {
  await submitChat(server.app, MODEL);
  return claim(key);
}

async function claim(key: ReturnType<typeof generateKeyPair>): Promise<PolledJob> {
  const { jobs } = await pollJobs(server.app, key, { wait: 0 });
  expect(jobs).toHaveLength(1);
  return jobs[0]!;
}

function postWithLease(jobId: string, token: string, body: object, path = 'events') {
  return server.app.request(`/api/v1/node/jobs/${jobId}/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [LEASE_HEADER_NAME]: token },
    body: JSON.stringify(body),
  });
}

async function errorCode(response: Response): Promise<string> {
  return ((await response.json()) as { error: { code: string } }).error.code;
}

const batch = (number: number, fencingToken: number, text: string) => ({
  events: [{ event_type: 'token', data: { text } }],
  fencing_token: fencingToken,
  batch: number,
});

describe('lease tokens on token batches', () => {
  it('accepts unsigned batches that carry the claim’s lease token', async () => {
    const key = generateKeyPair();
    await registerNode(server.app, key, { nodeId: 'lease-node', models: [MODEL] });
    const job = await submitAndClaim(key);
    expect(job.lease_token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const response = await postWithLease(
      job.id,
      job.lease_token!,
      batch(1, job.fencing_token, 'Hi'),
    );
    expect(response.status).toBe(200);
    const stored = await server.db.events.listAfter(job.id, 0, 10);
    expect(stored.map((event) => event.data)).toEqual([{ text: 'Hi' }]);
  });

  it('refuses a wrong token and changes nothing', async () => {
    const key = generateKeyPair();
    await registerNode(server.app, key, { nodeId: 'lease-node', models: [MODEL] });
    const job = await submitAndClaim(key);
    const forged = 'A'.repeat(43);
    const response = await postWithLease(job.id, forged, batch(1, job.fencing_token, 'forged'));
    expect(response.status).toBe(403);
    expect(await errorCode(response)).toBe('FORBIDDEN');
    expect(await server.db.events.listAfter(job.id, 0, 10)).toEqual([]);
  });

  it('refuses the token of a lease that was taken back, with 409', async () => {
    const first = generateKeyPair();
    const second = generateKeyPair();
    await registerNode(server.app, first, { nodeId: 'first', models: [MODEL] });
    await registerNode(server.app, second, { nodeId: 'second', models: [MODEL] });
    const job = await submitAndClaim(first);
    const released = await signedPost(server.app, first, `/api/v1/node/jobs/${job.id}/release`, {
      fencing_token: job.fencing_token,
    });
    expect(released.status).toBe(200);
    const reclaimed = await claim(second);
    expect(reclaimed.lease_token).not.toBe(job.lease_token);

    const stale = await postWithLease(job.id, job.lease_token!, batch(1, job.fencing_token, 'old'));
    expect(stale.status).toBe(409);
    expect(await errorCode(stale)).toBe('LEASE_LOST');
    const current = await postWithLease(
      job.id,
      reclaimed.lease_token!,
      batch(1, reclaimed.fencing_token, 'new'),
    );
    expect(current.status).toBe(200);
    const stored = await server.db.events.listAfter(job.id, 0, 10);
    expect(stored.map((event) => event.data)).toEqual([{ text: 'new' }]);
  });

  it('is no substitute for a signature on any other route', async () => {
    const key = generateKeyPair();
    await registerNode(server.app, key, { nodeId: 'lease-node', models: [MODEL] });
    const job = await submitAndClaim(key);
    const response = await postWithLease(
      job.id,
      job.lease_token!,
      { fencing_token: job.fencing_token },
      'release',
    );
    expect(response.status).toBe(401);
    expect(await errorCode(response)).toBe('AUTH_MISSING');
    expect((await server.db.jobs.findById(job.id))?.status).toBe('assigned');
  });

  it('stamps the holder’s own identity on a meta event sent with a token', async () => {
    const key = generateKeyPair();
    const providerId = await registerNode(server.app, key, { nodeId: 'honest', models: [MODEL] });
    const job = await submitAndClaim(key);
    const response = await postWithLease(job.id, job.lease_token!, {
      events: [{ event_type: 'meta', data: { provider_node_id: 'impostor', engine: 'ollama' } }],
      fencing_token: job.fencing_token,
      batch: 1,
    });
    expect(response.status).toBe(200);
    const [meta] = await server.db.events.listAfter(job.id, 0, 10);
    expect(meta?.data).toEqual({
      engine: 'ollama',
      provider_id: providerId,
      provider_node_id: 'honest',
      provider_name: 'honest',
    });
  });
});

describe('lease tokens on completions', () => {
  const completion = (fencingToken: number, text: string) => ({
    status: 'completed',
    result: { text },
    fencing_token: fencingToken,
  });

  it('completes with the claim’s lease token and credits the holder once', async () => {
    const key = generateKeyPair();
    const providerId = await registerNode(server.app, key, { nodeId: 'holder', models: [MODEL] });
    const job = await submitAndClaim(key);
    expect(
      (await postWithLease(job.id, job.lease_token!, batch(1, job.fencing_token, 'Hi'))).status,
    ).toBe(200);
    const body = completion(job.fencing_token, 'Hi');
    const first = await postWithLease(job.id, job.lease_token!, body, 'complete');
    expect(first.status).toBe(200);
    // A retry after a lost answer changes nothing.
    expect((await postWithLease(job.id, job.lease_token!, body, 'complete')).status).toBe(200);

    expect((await server.db.jobs.findById(job.id))?.status).toBe('completed');
    const entries = await server.db.ledger.entriesForJob(job.id);
    expect(entries.map((entry) => entry.account).sort()).toEqual(
      ['platform:consumer-payments', `provider:${providerId}`].sort(),
    );
  });

  it('refuses a wrong token, and the token of a lease taken back, changing nothing', async () => {
    const first = generateKeyPair();
    const second = generateKeyPair();
    await registerNode(server.app, first, { nodeId: 'first', models: [MODEL] });
    await registerNode(server.app, second, { nodeId: 'second', models: [MODEL] });
    const job = await submitAndClaim(first);

    const forged = await postWithLease(
      job.id,
      'A'.repeat(43),
      completion(job.fencing_token, 'forged'),
      'complete',
    );
    expect(forged.status).toBe(403);
    expect(await errorCode(forged)).toBe('FORBIDDEN');

    await signedPost(server.app, first, `/api/v1/node/jobs/${job.id}/release`, {
      fencing_token: job.fencing_token,
    });
    const reclaimed = await claim(second);
    const stale = await postWithLease(
      job.id,
      job.lease_token!,
      completion(job.fencing_token, 'old'),
      'complete',
    );
    expect(stale.status).toBe(409);
    expect(await errorCode(stale)).toBe('LEASE_LOST');
    expect(await server.db.jobs.findById(job.id)).toMatchObject({
      status: 'assigned',
      fencingToken: reclaimed.fencing_token,
    });
    expect(await server.db.ledger.entriesForJob(job.id)).toEqual([]);
  });
});
