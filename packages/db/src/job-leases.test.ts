import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestDatabase } from './test-database';
import { createJob, registerProvider, specsServing } from './test-fixtures';
import type { Database, ProviderRecord } from './types';

const databaseUrl = process.env.TEST_DATABASE_URL;
const MODEL = 'lease-model';
const token = (text: string) => ({ event_type: 'token' as const, data: { text } });

let db: Database;
let first: ProviderRecord;
let second: ProviderRecord;
beforeEach(async () => {
  db = await openTestDatabase({ databaseUrl });
  first = await registerProvider(db, { specs: specsServing(MODEL) });
  second = await registerProvider(db, { specs: specsServing(MODEL) });
});
afterEach(async () => {
  await db.close();
});

/** A lease of zero seconds is already expired by the next statement: no waiting needed. */
async function claimExpired(provider: ProviderRecord) {
  const [job] = await db.jobs.claim({
    providerId: provider.id,
    models: [MODEL],
    limit: 1,
    leaseSeconds: 0,
  });
  if (!job) throw new Error('nothing to claim');
  return job;
}

async function eventTypes(jobId: string) {
  return (await db.events.listAfter(jobId, 0, 100)).map((event) => [event.type, event.data]);
}

describe('lease expiry and fencing', () => {
  it('re-queues a silent job before its first token and fences off the old holder', async () => {
    const job = await createJob(db, MODEL);
    const stale = await claimExpired(first);
    expect(stale.fencingToken).toBe(1);
    expect(await db.jobs.expireLeases({ maxAttempts: 3 })).toEqual({
      requeued: 1,
      failed: 0,
      requeuedModels: [MODEL],
      failedJobIds: [],
    });
    expect((await db.jobs.findById(job.id))?.status).toBe('queued');

    const [current] = await db.jobs.claim({
      providerId: second.id,
      models: [MODEL],
      limit: 1,
      leaseSeconds: 30,
    });
    expect(current?.fencingToken).toBe(2);
    expect(await db.events.append(job.id, first.id, [token('x')], { fencingToken: 1 })).toEqual({
      ok: false,
      reason: 'lease_lost',
    });
    const late = {
      jobId: job.id,
      status: 'completed' as const,
      result: { text: 'x' },
      error: null,
    };
    expect(await db.jobs.complete({ ...late, providerId: first.id, fencingToken: 1 })).toEqual({
      ok: false,
      reason: 'lease_lost',
    });
    const done = await db.jobs.complete({ ...late, providerId: second.id, fencingToken: 2 });
    expect(done).toMatchObject({ ok: true, changed: true });
  });

  it('refuses a stale token even from the node that holds the job again', async () => {
    const job = await createJob(db, MODEL);
    await claimExpired(first);
    await db.jobs.expireLeases({ maxAttempts: 3 });
    await db.jobs.claim({ providerId: first.id, models: [MODEL], limit: 1, leaseSeconds: 30 });
    expect(await db.events.append(job.id, first.id, [token('x')], { fencingToken: 1 })).toEqual({
      ok: false,
      reason: 'lease_lost',
    });
    expect(
      await db.events.append(job.id, first.id, [token('x')], { fencingToken: 2 }),
    ).toMatchObject({ ok: true, inserted: 1 });
  });

  it('fails a job whose node went silent after streaming began, naming the cause', async () => {
    const job = await createJob(db, MODEL);
    await claimExpired(first);
    await db.events.append(job.id, first.id, [token('a'), token('b')], { leaseSeconds: 0 });
    expect(await db.jobs.expireLeases({ maxAttempts: 3 })).toEqual({
      requeued: 0,
      failed: 1,
      requeuedModels: [],
      failedJobIds: [job.id],
    });
    const failed = await db.jobs.findById(job.id);
    expect(failed).toMatchObject({ status: 'failed', deliveredTokens: 2 });
    const last = (await eventTypes(job.id)).at(-1);
    expect(last).toEqual([
      'error',
      expect.objectContaining({ code: 'NODE_LOST', delivered_tokens: 2 }),
    ]);
  });

  it('fails a job after its last attempt instead of re-queuing it forever', async () => {
    const job = await createJob(db, MODEL);
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      await claimExpired(attempt % 2 ? first : second);
      const sweep = await db.jobs.expireLeases({ maxAttempts: 3 });
      expect(sweep).toMatchObject(
        attempt < 3 ? { requeued: 1, failed: 0 } : { requeued: 0, failed: 1 },
      );
    }
    expect((await db.jobs.findById(job.id))?.error).toMatch(/after 3 attempts/);
    expect((await eventTypes(job.id)).at(-1)?.[1]).toMatchObject({ code: 'ATTEMPTS_EXHAUSTED' });
  });

  it('renews leases and reports the jobs a node no longer holds', async () => {
    const held = await createJob(db, MODEL);
    await claimExpired(first);
    const other = await createJob(db, MODEL);
    await claimExpired(second);
    const renewal = await db.jobs.renewLeases({
      providerId: first.id,
      jobIds: [held.id, other.id],
      leaseSeconds: 60,
    });
    expect(renewal.lost).toEqual([other.id]);
    expect((await db.jobs.findById(held.id))!.leaseExpiresAt!.getTime()).toBeGreaterThan(
      Date.now() + 30_000,
    );
    expect(await db.jobs.expireLeases({ maxAttempts: 3 })).toMatchObject({
      requeued: 1,
      failed: 0,
    });
  });

  it.skipIf(!databaseUrl)(
    'lets two sweepers run at once without handling a job twice',
    async () => {
      for (let index = 0; index < 30; index += 1) await createJob(db, MODEL);
      await db.jobs.claim({ providerId: first.id, models: [MODEL], limit: 30, leaseSeconds: 0 });
      const sweeps = await Promise.all([
        db.jobs.expireLeases({ maxAttempts: 3, limit: 7 }),
        db.jobs.expireLeases({ maxAttempts: 3, limit: 7 }),
        db.jobs.expireLeases({ maxAttempts: 3 }),
      ]);
      expect(sweeps.reduce((sum, sweep) => sum + sweep.requeued, 0)).toBe(30);
      // Each sweep names the model once, however many of its jobs it re-queued.
      for (const sweep of sweeps) {
        expect(sweep.requeuedModels).toEqual(sweep.requeued > 0 ? [MODEL] : []);
      }
      expect((await db.jobs.counts()).queued).toBe(30);
    },
  );
});

describe('duplicate event batches', () => {
  it('acknowledges a retried batch without storing it twice', async () => {
    const job = await createJob(db, MODEL);
    const [claimed] = await db.jobs.claim({
      providerId: first.id,
      models: [MODEL],
      limit: 1,
      leaseSeconds: 30,
    });
    const options = { fencingToken: claimed!.fencingToken, batch: 1 };
    expect(await db.events.append(job.id, first.id, [token('a')], options)).toEqual({
      ok: true,
      inserted: 1,
      duplicate: false,
    });
    expect(await db.events.append(job.id, first.id, [token('a')], options)).toEqual({
      ok: true,
      inserted: 0,
      duplicate: true,
    });
    await db.events.append(job.id, first.id, [token('b')], { ...options, batch: 2 });
    expect((await eventTypes(job.id)).map(([, data]) => data)).toEqual([
      { text: 'a' },
      { text: 'b' },
    ]);
    expect((await db.jobs.findById(job.id))?.deliveredTokens).toBe(2);
  });
});

describe('cancellation', () => {
  it('ends the stream once and refuses the node afterwards', async () => {
    const job = await createJob(db, MODEL);
    await db.jobs.claim({ providerId: first.id, models: [MODEL], limit: 1, leaseSeconds: 30 });
    const cancelled = await db.jobs.cancel(job.id, 'Cancelled by the consumer.');
    expect(cancelled).toMatchObject({ ok: true, changed: true, job: { status: 'cancelled' } });
    expect(await db.jobs.cancel(job.id, 'again')).toMatchObject({ ok: true, changed: false });
    expect(await db.events.append(job.id, first.id, [token('x')])).toEqual({
      ok: false,
      reason: 'cancelled',
    });
    const completion = { jobId: job.id, providerId: first.id, status: 'completed' as const };
    expect(await db.jobs.complete({ ...completion, result: null, error: null })).toEqual({
      ok: false,
      reason: 'cancelled',
    });
    expect(await eventTypes(job.id)).toEqual([
      ['error', { message: 'Cancelled by the consumer.', code: 'CANCELLED', delivered_tokens: 0 }],
    ]);
    expect(
      (await db.jobs.renewLeases({ providerId: first.id, jobIds: [job.id], leaseSeconds: 30 }))
        .lost,
    ).toEqual([job.id]);
    expect(await db.ledger.entriesForJob(job.id)).toEqual([]);
  });

  it('cancels a job whose only reader left and did not come back', async () => {
    const abandoned = await createJob(db, MODEL);
    const watched = await createJob(db, MODEL);
    await db.jobs.trackReader(abandoned.id, 1);
    await db.jobs.trackReader(abandoned.id, -1);
    await db.jobs.trackReader(watched.id, 1);
    await db.jobs.trackReader(watched.id, 1);
    await db.jobs.trackReader(watched.id, -1);
    expect(await db.jobs.cancelAbandoned({ graceSeconds: 0 })).toEqual({
      count: 1,
      jobIds: [abandoned.id],
    });
    expect((await db.jobs.findById(abandoned.id))?.status).toBe('cancelled');
    expect((await db.jobs.findById(watched.id))?.status).toBe('queued');
  });
});

describe('release by a draining node', () => {
  it('re-queues at once before the first token, without spending an attempt', async () => {
    const job = await createJob(db, MODEL);
    const claimed = await claimExpired(first);
    const released = await db.jobs.release({
      jobId: job.id,
      providerId: first.id,
      fencingToken: claimed.fencingToken,
      reason: 'shutting down',
    });
    expect(released).toMatchObject({
      ok: true,
      outcome: 'requeued',
      job: { status: 'queued', attempts: 0 },
    });
  });

  it('fails the job after the first token, because the answer cannot restart mid-stream', async () => {
    const job = await createJob(db, MODEL);
    await claimExpired(first);
    await db.events.append(job.id, first.id, [token('a')]);
    const released = await db.jobs.release({
      jobId: job.id,
      providerId: first.id,
      reason: 'SIGTERM',
    });
    expect(released).toMatchObject({ ok: true, outcome: 'failed', job: { status: 'failed' } });
    expect((await eventTypes(job.id)).at(-1)?.[1]).toMatchObject({ code: 'NODE_SHUTDOWN' });
    expect(await db.jobs.release({ jobId: job.id, providerId: second.id, reason: 'x' })).toEqual({
      ok: false,
      reason: 'not_owner',
    });
  });
});
