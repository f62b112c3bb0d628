import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestDatabase } from './test-database';
import {
  CHAT_INPUT,
  claimedJob,
  createJob,
  randomHex,
  registerProvider,
  specsServing,
} from './test-fixtures';
import type { Database } from './types';

const databaseUrl = process.env.TEST_DATABASE_URL;

let db: Database;
beforeEach(async () => {
  db = await openTestDatabase({ databaseUrl });
});
afterEach(async () => {
  await db.close();
});

describe('jobs.createChat and findById', () => {
  it('stores a queued chat job', async () => {
    const streamTokenHash = randomHex();
    const job = await db.jobs.createChat({
      model: 'llama3',
      title: 'hello',
      input: CHAT_INPUT,
      streamTokenHash,
    });
    if (!job) throw new Error('createChat without a capacity check must create the job');
    expect(job).toMatchObject({
      type: 'chat',
      status: 'queued',
      model: 'llama3',
      title: 'hello',
      input: CHAT_INPUT,
      providerId: null,
      streamTokenHash,
      fencingToken: 0,
      attempts: 0,
      leaseExpiresAt: null,
      result: null,
      error: null,
      assignedAt: null,
      completedAt: null,
    });
    expect(job.createdAt).toBeInstanceOf(Date);
    expect(await db.jobs.findById(job.id)).toEqual(job);
    expect(await db.jobs.findById(crypto.randomUUID())).toBeNull();
    expect(await db.jobs.findById('../etc/passwd')).toBeNull();
  });

  it('refuses a stream token hash that is not 64 lowercase hex digits', async () => {
    for (const streamTokenHash of ['ab', randomHex().toUpperCase(), `${randomHex(31)}zz`]) {
      await expect(
        db.jobs.createChat({ model: 'llama3', title: 't', input: CHAT_INPUT, streamTokenHash }),
      ).rejects.toThrow(/sha256_hex/);
    }
    expect((await db.jobs.counts()).queued).toBe(0);
  });
});

describe('jobs.createChat with a capacity check', () => {
  it('creates the job only while a live, online provider serves the model', async () => {
    const input = { title: 't', input: CHAT_INPUT, requireLiveProviderWithinSeconds: 60 };
    expect(
      await db.jobs.createChat({ ...input, model: 'llama3', streamTokenHash: randomHex() }),
    ).toBeNull();
    await registerProvider(db, { specs: specsServing('llama3') });
    const created = await db.jobs.createChat({
      ...input,
      model: 'llama3',
      streamTokenHash: randomHex(),
    });
    expect(created?.status).toBe('queued');
    expect(
      await db.jobs.createChat({ ...input, model: 'mistral', streamTokenHash: randomHex() }),
    ).toBeNull();
    await registerProvider(db, { specs: specsServing('mistral'), status: 'offline' });
    expect(
      await db.jobs.createChat({ ...input, model: 'mistral', streamTokenHash: randomHex() }),
    ).toBeNull();
    expect((await db.jobs.counts()).queued).toBe(1);
  });
});

describe('jobs.claim', () => {
  it('takes the oldest queued jobs of the given models, up to the limit, with a lease', async () => {
    const provider = await registerProvider(db);
    const first = await createJob(db, 'llama3');
    await createJob(db, 'other-model');
    const second = await createJob(db, 'mistral');
    const third = await createJob(db, 'llama3');

    const claimed = await db.jobs.claim({
      providerId: provider.id,
      models: ['llama3', 'mistral'],
      limit: 2,
      leaseSeconds: 30,
    });
    expect(claimed.map((job) => job.id)).toEqual([first.id, second.id]);
    for (const job of claimed) {
      expect(job).toMatchObject({
        status: 'assigned',
        providerId: provider.id,
        fencingToken: 1,
        attempts: 1,
      });
      const leaseMs = (job.leaseExpiresAt?.getTime() ?? 0) - (job.assignedAt?.getTime() ?? 0);
      expect(leaseMs).toBeGreaterThanOrEqual(29_000);
      expect(leaseMs).toBeLessThanOrEqual(31_000);
    }

    const rest = await db.jobs.claim({
      providerId: provider.id,
      models: ['llama3', 'mistral'],
      limit: 5,
      leaseSeconds: 30,
    });
    expect(rest.map((job) => job.id)).toEqual([third.id]);
  });

  it('returns nothing for no models or a zero limit', async () => {
    const provider = await registerProvider(db);
    await createJob(db, 'llama3');
    const input = { providerId: provider.id, leaseSeconds: 30 };
    expect(await db.jobs.claim({ ...input, models: [], limit: 5 })).toEqual([]);
    expect(await db.jobs.claim({ ...input, models: ['llama3'], limit: 0 })).toEqual([]);
  });

  it('never hands one job to two concurrent claimers', async () => {
    const total = 200;
    const claimers = 4;
    const models = ['model-a', 'model-b'];
    const providers = await Promise.all(
      Array.from({ length: claimers }, () => registerProvider(db)),
    );
    const created = new Set<string>();
    for (let index = 0; index < total; index += 25) {
      const batch = await Promise.all(
        Array.from({ length: 25 }, (_, offset) =>
          createJob(db, models[(index + offset) % models.length]),
        ),
      );
      for (const job of batch) created.add(job.id);
    }

    const claimedBy = new Map<string, string[]>();
    await Promise.all(
      providers.map(async (provider) => {
        for (;;) {
          const jobs = await db.jobs.claim({
            providerId: provider.id,
            models,
            limit: 3,
            leaseSeconds: 30,
          });
          if (jobs.length === 0) return;
          for (const job of jobs) {
            expect(job.providerId).toBe(provider.id);
            claimedBy.set(job.id, [...(claimedBy.get(job.id) ?? []), provider.id]);
          }
        }
      }),
    );

    expect(claimedBy.size).toBe(total);
    expect([...claimedBy.keys()].every((id) => created.has(id))).toBe(true);
    expect([...claimedBy.values()].every((owners) => owners.length === 1)).toBe(true);
    expect(await db.jobs.counts()).toEqual({ queued: 0, running: total, completed: 0, failed: 0 });
  });
});

describe('jobs.complete', () => {
  it('finishes a held job and writes the terminal done event', async () => {
    const provider = await registerProvider(db);
    const job = await claimedJob(db, provider);
    const usage = { prompt_tokens: 5, completion_tokens: 2 };
    const result = await db.jobs.complete({
      jobId: job.id,
      providerId: provider.id,
      status: 'completed',
      result: { text: 'Hello!', reason: 'stop', usage },
      error: null,
    });
    expect(result.ok && result.changed).toBe(true);
    if (!result.ok) return;
    expect(result.job).toMatchObject({
      status: 'completed',
      result: { text: 'Hello!', reason: 'stop', usage },
      error: null,
      leaseExpiresAt: null,
    });
    expect(result.job.completedAt).toBeInstanceOf(Date);

    const events = await db.events.listAfter(job.id, 0, 10);
    expect(events).toEqual([
      {
        jobId: job.id,
        seq: 1,
        type: 'done',
        data: {
          text: 'Hello!',
          reason: 'stop',
          usage,
          finished_at: result.job.completedAt?.toISOString(),
        },
        createdAt: expect.any(Date),
      },
    ]);
  });

  it('repeats a completion without writing anything', async () => {
    const provider = await registerProvider(db);
    const job = await claimedJob(db, provider);
    const input = {
      jobId: job.id,
      providerId: provider.id,
      status: 'completed' as const,
      result: { text: 'once' },
      error: null,
    };
    const first = await db.jobs.complete(input);
    const second = await db.jobs.complete({ ...input, result: { text: 'twice' } });
    expect(second).toEqual({ ok: true, changed: false, job: first.ok ? first.job : undefined });
    expect(await db.events.listAfter(job.id, 0, 10)).toHaveLength(1);
  });

  it('stores a failure with a bounded error and an error event', async () => {
    const provider = await registerProvider(db);
    const job = await claimedJob(db, provider);
    const result = await db.jobs.complete({
      jobId: job.id,
      providerId: provider.id,
      status: 'failed',
      result: null,
      error: 'x'.repeat(5_000),
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.job.status).toBe('failed');
    expect(result.job.error).toHaveLength(1024);
    const [event] = await db.events.listAfter(job.id, 0, 10);
    expect(event).toMatchObject({ seq: 1, type: 'error', data: { message: 'x'.repeat(1024) } });
    expect(await db.jobs.counts()).toEqual({ queued: 0, running: 0, completed: 0, failed: 1 });
  });

  it('refuses other providers, jobs not held, and unknown jobs', async () => {
    const owner = await registerProvider(db);
    const stranger = await registerProvider(db);
    const held = await claimedJob(db, owner);
    const queued = await createJob(db);
    const attempt = { status: 'completed' as const, result: { text: 'x' }, error: null };

    expect(await db.jobs.complete({ ...attempt, jobId: held.id, providerId: stranger.id })).toEqual(
      { ok: false, reason: 'not_owner' },
    );
    expect(await db.jobs.complete({ ...attempt, jobId: queued.id, providerId: owner.id })).toEqual({
      ok: false,
      reason: 'not_active',
    });
    expect(
      await db.jobs.complete({ ...attempt, jobId: crypto.randomUUID(), providerId: owner.id }),
    ).toEqual({ ok: false, reason: 'not_found' });
    expect(await db.jobs.complete({ ...attempt, jobId: 'nope', providerId: owner.id })).toEqual({
      ok: false,
      reason: 'not_found',
    });

    await db.jobs.complete({ ...attempt, jobId: held.id, providerId: owner.id });
    expect(await db.jobs.complete({ ...attempt, jobId: held.id, providerId: stranger.id })).toEqual(
      { ok: false, reason: 'not_owner' },
    );
    expect(await db.events.listAfter(queued.id, 0, 10)).toEqual([]);
  });
});

describe('jobs.counts', () => {
  it('counts assigned and running together', async () => {
    const provider = await registerProvider(db);
    await createJob(db);
    await claimedJob(db, provider);
    const running = await claimedJob(db, provider);
    await db.events.append(running.id, provider.id, [{ event_type: 'meta', data: {} }]);
    const done = await claimedJob(db, provider);
    await db.jobs.complete({
      jobId: done.id,
      providerId: provider.id,
      status: 'completed',
      result: null,
      error: null,
    });
    expect(await db.jobs.counts()).toEqual({ queued: 1, running: 2, completed: 1, failed: 0 });
  });
});
