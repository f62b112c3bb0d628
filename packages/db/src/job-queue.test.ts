import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NIM_FALLBACK_PROVIDER } from './job-queue';
import { openTestDatabase } from './test-database';
import { CHAT_INPUT, randomHex, registerProvider, specsServing } from './test-fixtures';
import type { Database, SubmitChatJobInput } from './types';

const databaseUrl = process.env.TEST_DATABASE_URL;

let db: Database;
beforeEach(async () => {
  db = await openTestDatabase({ databaseUrl });
});
afterEach(async () => {
  await db.close();
});

function submitInput(overrides: Partial<SubmitChatJobInput> = {}): SubmitChatJobInput {
  return {
    model: 'llama3',
    title: 't',
    input: CHAT_INPUT,
    streamTokenHash: randomHex(),
    requireLiveProviderWithinSeconds: 60,
    maxQueuedPerModel: 2,
    queueDeadlineSeconds: 120,
    ...overrides,
  };
}

/** A claim of up to `limit` llama3 jobs for `providerId`, with a 30 s lease. */
function claimLlama3(providerId: string, limit: number) {
  return db.jobs.claim({ providerId, models: ['llama3'], limit, leaseSeconds: 30 });
}

describe('jobs.submitChat', () => {
  it('says no_capacity when no live node serves the model, and stores nothing', async () => {
    expect(await db.jobs.submitChat(submitInput())).toEqual({ ok: false, reason: 'no_capacity' });
    expect((await db.jobs.counts()).queued).toBe(0);
  });

  it('queues up to the bound per model, then refuses with queue_full', async () => {
    await registerProvider(db, { specs: specsServing('llama3', 'mistral') });
    const first = await db.jobs.submitChat(submitInput());
    const second = await db.jobs.submitChat(submitInput());
    expect(first).toMatchObject({ ok: true, queuedAhead: 0 });
    expect(second).toMatchObject({ ok: true, queuedAhead: 1 });
    if (!first.ok) throw new Error('queued');
    const deadlineMs = (first.job.queueDeadlineAt?.getTime() ?? 0) - first.job.createdAt.getTime();
    expect(deadlineMs).toBeGreaterThanOrEqual(119_000);
    expect(deadlineMs).toBeLessThanOrEqual(121_000);

    expect(await db.jobs.submitChat(submitInput())).toEqual({
      ok: false,
      reason: 'queue_full',
      queued: 2,
    });
    // Another model has its own queue.
    expect(await db.jobs.submitChat(submitInput({ model: 'mistral' }))).toMatchObject({ ok: true });
    expect((await db.jobs.counts()).queued).toBe(3);
  });

  it('hands a job to a waiting provider, already claimed with a working lease token', async () => {
    const provider = await registerProvider(db, { specs: specsServing('llama3') });
    const handed = await db.jobs.submitChat(
      submitInput({ handOffTo: { providerId: provider.id, leaseSeconds: 30 } }),
    );
    if (!handed.ok) throw new Error('submitted');
    expect(handed.job).toMatchObject({
      status: 'assigned',
      providerId: provider.id,
      fencingToken: 1,
      attempts: 1,
    });
    expect(handed.job.leaseToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await db.jobs.counts()).queued).toBe(0);
    // Nobody else can claim it, and its lease token writes its events.
    expect(await claimLlama3(provider.id, 5)).toEqual([]);
    const appended = await db.events.append(
      handed.job.id,
      null,
      [{ event_type: 'token', data: { text: 'hi' } }],
      { leaseToken: handed.job.leaseToken!, fencingToken: 1 },
    );
    expect(appended).toMatchObject({ ok: true, inserted: 1 });
  });

  it('queues the job instead when an older one of the model waits', async () => {
    const provider = await registerProvider(db, { specs: specsServing('llama3') });
    const older = await db.jobs.submitChat(submitInput());
    const newer = await db.jobs.submitChat(
      submitInput({ handOffTo: { providerId: provider.id, leaseSeconds: 30 } }),
    );
    expect(newer).toMatchObject({ ok: true, queuedAhead: 1, job: { status: 'queued' } });
    if (!newer.ok || !older.ok) throw new Error('submitted');
    expect(newer.job.leaseToken).toBeUndefined();
    const [first] = await claimLlama3(provider.id, 1);
    expect(first?.id).toBe(older.job.id);
  });

  it('makes room again once a node claims a waiting job', async () => {
    const provider = await registerProvider(db, { specs: specsServing('llama3') });
    await db.jobs.submitChat(submitInput({ maxQueuedPerModel: 1 }));
    expect(await db.jobs.submitChat(submitInput({ maxQueuedPerModel: 1 }))).toMatchObject({
      reason: 'queue_full',
    });
    await claimLlama3(provider.id, 1);
    expect(await db.jobs.submitChat(submitInput({ maxQueuedPerModel: 1 }))).toMatchObject({
      ok: true,
    });
  });
});

describe('queue deadlines', () => {
  it('fails a job past its deadline with QUEUE_TIMEOUT, and no claim takes it', async () => {
    const provider = await registerProvider(db, { specs: specsServing('llama3') });
    const late = await db.jobs.submitChat(submitInput({ queueDeadlineSeconds: 0 }));
    const onTime = await db.jobs.submitChat(submitInput());
    if (!late.ok || !onTime.ok) throw new Error('both are queued');

    // Past its deadline, a job is skipped by claims before any sweep ran.
    const claimed = await claimLlama3(provider.id, 5);
    expect(claimed.map((job) => job.id)).toEqual([onTime.job.id]);

    expect(await db.jobs.expireQueueDeadlines()).toEqual({ jobIds: [late.job.id] });
    expect(await db.jobs.expireQueueDeadlines()).toEqual({ jobIds: [] });
    const failed = await db.jobs.findById(late.job.id);
    expect(failed).toMatchObject({ status: 'failed', providerId: null });
    expect(failed?.error).toMatch(/No node was free to take this job within 0 s/);
    const events = await db.events.listAfter(late.job.id, 0, 10);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      seq: 1,
      type: 'error',
      data: { code: 'QUEUE_TIMEOUT', delivered_tokens: 0 },
    });
    expect(await claimLlama3(provider.id, 5)).toEqual([]);
  });

  it('estimates the place of a queued job from the jobs ahead and the live nodes', async () => {
    await registerProvider(db, { specs: specsServing('llama3') });
    await registerProvider(db, { specs: specsServing('llama3') });
    const jobs = [];
    for (let index = 0; index < 3; index += 1) {
      const result = await db.jobs.submitChat(submitInput({ maxQueuedPerModel: 10 }));
      if (!result.ok) throw new Error('queued');
      jobs.push(result.job);
    }
    const estimate = await db.jobs.queueEstimate({
      model: 'llama3',
      jobId: jobs[2]!.id,
      livenessSeconds: 60,
    });
    expect(estimate).toEqual({ ahead: 2, nodes: 2, recentJobSeconds: null });
    expect(await db.jobs.queueEstimate({ model: 'llama3', livenessSeconds: 60 })).toMatchObject({
      ahead: 3,
    });
  });
});

describe('fallback jobs', () => {
  async function fallbackJob() {
    return db.jobs.createFallbackChat({
      model: 'llama3',
      title: 't',
      input: CHAT_INPUT,
      streamTokenHash: randomHex(),
      leaseSeconds: 30,
      queueDeadlineSeconds: 120,
    });
  }

  it('are held by the reserved row, written with their lease token, completed with usage', async () => {
    const job = await fallbackJob();
    expect(job).toMatchObject({
      status: 'assigned',
      providerId: NIM_FALLBACK_PROVIDER.id,
      fencingToken: 1,
    });
    // Nothing to claim: a node never sees a fallback job.
    const node = await registerProvider(db, { specs: specsServing('llama3') });
    expect(await claimLlama3(node.id, 5)).toEqual([]);

    // A wrong lease token is refused; the job's own token writes.
    expect(
      await db.events.append(job.id, null, [{ event_type: 'token', data: { text: 'x' } }], {
        leaseToken: 'not-the-token',
      }),
    ).toEqual({ ok: false, reason: 'not_owner' });
    const appended = await db.events.append(
      job.id,
      null,
      [
        { event_type: 'meta', data: { engine: 'nvidia-nim', fallback: 'nvidia-nim' } },
        { event_type: 'token', data: { text: 'Hi' } },
      ],
      { leaseToken: job.leaseToken, batch: 1 },
    );
    expect(appended).toMatchObject({ ok: true, inserted: 2 });
    const completed = await db.jobs.complete({
      jobId: job.id,
      providerId: NIM_FALLBACK_PROVIDER.id,
      fencingToken: job.fencingToken,
      status: 'completed',
      result: { text: 'Hi', reason: 'stop', usage: { prompt_tokens: 4, completion_tokens: 1 } },
      error: null,
    });
    expect(completed).toMatchObject({ ok: true, job: { status: 'completed', deliveredTokens: 1 } });
    const events = await db.events.listAfter(job.id, 0, 10);
    expect(events.map((event) => event.type)).toEqual(['meta', 'token', 'done']);
    expect(events[0]!.data).toMatchObject({
      provider_id: NIM_FALLBACK_PROVIDER.id,
      provider_node_id: 'nvidia-nim',
      fallback: 'nvidia-nim',
    });
    expect(events[2]!.data).toMatchObject({
      usage: { prompt_tokens: 4, completion_tokens: 1 },
    });
  });

  it('the reserved row is not listed and its node id cannot be taken', async () => {
    await fallbackJob();
    expect((await db.providers.list({ limit: 100 })).map((row) => row.id)).not.toContain(
      NIM_FALLBACK_PROVIDER.id,
    );
    const taken = await db.providers.register({
      publicKey: randomHex(),
      nodeId: NIM_FALLBACK_PROVIDER.nodeId,
      role: 'provider',
      name: 'impostor',
      status: 'available',
      address: null,
      port: null,
      gpuModel: null,
      price: null,
      specs: specsServing('llama3'),
    });
    expect(taken).toEqual({ ok: false, reason: 'node_id_taken' });
  });
});
