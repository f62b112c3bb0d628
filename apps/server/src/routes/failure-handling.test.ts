import { afterEach, describe, expect, it, vi } from 'vitest';
import { generateKeyPair, type KeyPair } from '@infernet/auth';
import { providerAccount } from '@infernet/db';
import { pino } from 'pino';
import { runMaintenance, startMaintenance } from '../maintenance';
import {
  createTestApp,
  parseSse,
  pollJobs,
  registerNode,
  signedPost,
  submitChat,
  type TestApp,
} from '../testing';

let server: TestApp;
afterEach(async () => {
  await server.close();
});

const submit = (model = 'm') => submitChat(server.app, model, 'hi');
const poll = (key: KeyPair, body: object = {}) => pollJobs(server.app, key, { wait: 0, ...body });

async function errorCode(response: Response) {
  return [response.status, ((await response.json()) as { error: { code: string } }).error.code];
}

const sweep = () =>
  runMaintenance({
    db: server.db,
    logger: pino({ level: 'silent' }),
    now: Date.now,
    abandonedStreamGraceSeconds: 30,
  });

describe('leases and fencing over HTTP', () => {
  it('hands a silent job to another node and refuses the first with 409 LEASE_LOST', async () => {
    server = await createTestApp({ leaseSeconds: 0 });
    const [slow, fast] = [generateKeyPair(), generateKeyPair()];
    await registerNode(server.app, slow, { nodeId: 'slow', models: ['m'] });
    await registerNode(server.app, fast, { nodeId: 'fast', models: ['m'] });
    const { jobId } = await submit();
    const [stale] = (await poll(slow)).jobs;
    expect(stale).toMatchObject({ id: jobId, fencing_token: 1, attempt: 1 });
    expect(await sweep()).toMatchObject({ requeued: 1 });
    const [current] = (await poll(fast)).jobs;
    expect(current).toMatchObject({ id: jobId, fencing_token: 2, attempt: 2 });

    const events = {
      events: [{ event_type: 'token', data: { text: 'late' } }],
      fencing_token: 1,
      batch: 1,
    };
    expect(
      await errorCode(
        await signedPost(server.app, slow, `/api/v1/node/jobs/${jobId}/events`, events),
      ),
    ).toEqual([409, 'LEASE_LOST']);
    const completion = { status: 'completed', result: { text: 'late' }, fencing_token: 1 };
    expect(
      await errorCode(
        await signedPost(server.app, slow, `/api/v1/node/jobs/${jobId}/complete`, completion),
      ),
    ).toEqual([409, 'LEASE_LOST']);
    const ok = await signedPost(server.app, fast, `/api/v1/node/jobs/${jobId}/complete`, {
      ...completion,
      fencing_token: 2,
    });
    expect(ok.status).toBe(200);
  });

  it('tells a node, in its next poll, which of its active jobs it no longer holds', async () => {
    server = await createTestApp({ leaseSeconds: 0 });
    const node = generateKeyPair();
    await registerNode(server.app, node, { nodeId: 'n', models: ['m'] });
    const { jobId } = await submit();
    await poll(node);
    expect((await poll(node, { limit: 0, active: [jobId] })).cancel).toEqual([]);
    // A zero-second lease has expired by the sweep; the node learns it from its next poll.
    await sweep();
    expect((await poll(node, { limit: 0, active: [jobId] })).cancel).toEqual([jobId]);
  });

  it('leaves expired leases alone for one lease after the control plane starts', async () => {
    server = await createTestApp({ leaseSeconds: 0 });
    const node = generateKeyPair();
    await registerNode(server.app, node, { nodeId: 'n', models: ['m'] });
    const { jobId } = await submit();
    await poll(node);
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    let now = 0;
    const maintenance = startMaintenance({
      db: server.db,
      logger: pino({ level: 'silent' }),
      now: () => now,
      intervalMs: 1_000,
      leaseSweepDelayMs: 30_000,
      abandonedStreamGraceSeconds: 30,
    });
    try {
      // A node cut off by the restart still holds its job while it reconnects …
      now = 29_000;
      vi.advanceTimersByTime(1_000);
      await maintenance.settled();
      expect(await server.db.jobs.findById(jobId)).toMatchObject({ status: 'assigned' });
      // … and loses it once a whole lease has passed without a word from it.
      now = 30_000;
      vi.advanceTimersByTime(1_000);
      await maintenance.settled();
      expect(await server.db.jobs.findById(jobId)).toMatchObject({ status: 'queued' });
    } finally {
      await maintenance.stop();
      vi.useRealTimers();
    }
  });
});

describe('cancellation over HTTP', () => {
  it('lets the creator cancel, ends the stream, and tells the node on its next exchange', async () => {
    server = await createTestApp();
    const node = generateKeyPair();
    await registerNode(server.app, node, { nodeId: 'n', models: ['m'] });
    const job = await submit();
    const [claimed] = (await poll(node)).jobs;
    const cancelPath = `/api/chat/${job.jobId}/cancel`;
    const stranger = await server.app.request(`${cancelPath}?token=wrong`, { method: 'POST' });
    expect(stranger.status).toBe(403);
    const cancel = () =>
      server.app.request(cancelPath, {
        method: 'POST',
        headers: { authorization: `Bearer ${job.streamToken}` },
      });
    expect(await (await cancel()).json()).toEqual({
      jobId: job.jobId,
      status: 'cancelled',
      cancelled: true,
    });
    expect(await (await cancel()).json()).toMatchObject({ cancelled: false });

    const events = {
      events: [{ event_type: 'token', data: { text: 'x' } }],
      fencing_token: claimed!.fencing_token,
    };
    expect(
      await errorCode(
        await signedPost(server.app, node, `/api/v1/node/jobs/${job.jobId}/events`, events),
      ),
    ).toEqual([409, 'JOB_CANCELLED']);
    expect((await poll(node, { limit: 0, active: [job.jobId] })).cancel).toEqual([job.jobId]);
    const frames = parseSse(await (await server.app.request(job.streamUrl)).text());
    expect(frames.at(-1)).toMatchObject({ event: 'error' });
    expect(JSON.parse(frames.at(-1)!.data!)).toMatchObject({ code: 'CANCELLED' });
  });
});

describe('release, duplicate batches and earnings', () => {
  it('re-queues a released job at once for another node', async () => {
    server = await createTestApp();
    const [draining, other] = [generateKeyPair(), generateKeyPair()];
    await registerNode(server.app, draining, { nodeId: 'draining', models: ['m'] });
    const { jobId } = await submit();
    const [held] = (await poll(draining)).jobs;
    await registerNode(server.app, other, { nodeId: 'other', models: ['m'] });
    const released = await signedPost(server.app, draining, `/api/v1/node/jobs/${jobId}/release`, {
      fencing_token: held!.fencing_token,
      reason: 'SIGTERM',
    });
    expect(await released.json()).toEqual({ data: { id: jobId, status: 'queued' } });
    expect((await poll(other)).jobs.map((job) => job.id)).toEqual([jobId]);
  });

  it('stores a retried batch once and pays one earning for the delivered tokens', async () => {
    server = await createTestApp({ pricePerMillionTokens: '1000000' });
    const node = generateKeyPair();
    const providerId = await registerNode(server.app, node, { nodeId: 'n', models: ['m'] });
    const job = await submit();
    const [held] = (await poll(node)).jobs;
    const batch = {
      events: [
        { event_type: 'token', data: { text: 'a' } },
        { event_type: 'token', data: { text: 'b' } },
      ],
      fencing_token: held!.fencing_token,
      batch: 1,
    };
    const path = `/api/v1/node/jobs/${job.jobId}/events`;
    expect(await (await signedPost(server.app, node, path, batch)).json()).toEqual({
      data: { inserted: 2 },
    });
    expect(await (await signedPost(server.app, node, path, batch)).json()).toEqual({
      data: { inserted: 0 },
    });
    const completion = {
      status: 'completed',
      result: { text: 'ab' },
      fencing_token: held!.fencing_token,
    };
    for (let attempt = 0; attempt < 2; attempt += 1) {
      await signedPost(server.app, node, `/api/v1/node/jobs/${job.jobId}/complete`, completion);
    }
    const tokens = parseSse(await (await server.app.request(job.streamUrl)).text()).filter(
      (frame) => frame.event === 'token',
    );
    expect(tokens.map((frame) => JSON.parse(frame.data!).text)).toEqual(['a', 'b']);
    expect(await server.db.ledger.balance(providerAccount(providerId))).toBe('2');
    expect(await server.db.ledger.entriesForJob(job.jobId)).toHaveLength(2);
  });
});
