import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestDatabase } from './test-database';
import {
  completedEmbedding,
  EMBEDDING_INPUT,
  EMBEDDING_VECTORS,
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

describe('jobs.createEmbedding', () => {
  it('queues an embedding job only while a live provider serves the model', async () => {
    const create = (model: string) =>
      db.jobs.createEmbedding({
        model,
        title: `embedding · ${model}`,
        input: EMBEDDING_INPUT,
        streamTokenHash: randomHex(),
        requireLiveProviderWithinSeconds: 60,
      });
    expect(await create('nomic-embed-text')).toBeNull();
    await registerProvider(db, { specs: specsServing('nomic-embed-text') });
    const job = await create('nomic-embed-text');
    expect(job).toMatchObject({
      type: 'embedding',
      status: 'queued',
      input: EMBEDDING_INPUT,
      ownerAccountId: null,
    });
    expect(await db.jobs.findById(job!.id)).toEqual(job);
  });

  it('is claimed from the one queue, in order with chat jobs, and completed with its vectors', async () => {
    const provider = await registerProvider(db, { specs: specsServing('m') });
    const chat = await db.jobs.createChat({
      model: 'm',
      title: 'chat',
      input: { messages: [{ role: 'user', content: 'hi' }], max_tokens: 4, temperature: 0 },
      streamTokenHash: randomHex(),
    });
    const embedding = await db.jobs.createEmbedding({
      model: 'm',
      title: 'embedding',
      input: EMBEDDING_INPUT,
      streamTokenHash: randomHex(),
    });
    const claimed = await db.jobs.claim({
      providerId: provider.id,
      models: ['m'],
      limit: 5,
      leaseSeconds: 30,
    });
    expect(claimed.map((job) => [job.id, job.type])).toEqual([
      [chat!.id, 'chat'],
      [embedding!.id, 'embedding'],
    ]);
    const held = claimed[1]!;
    const result = {
      embeddings: EMBEDDING_VECTORS,
      usage: { prompt_tokens: 7, completion_tokens: 0 },
    };
    const completed = await db.jobs.complete({
      jobId: held.id,
      providerId: provider.id,
      fencingToken: held.fencingToken,
      status: 'completed',
      result,
      error: null,
    });
    expect(completed).toMatchObject({ ok: true, job: { status: 'completed', result } });
    const events = await db.events.listAfter(held.id, 0, 10);
    // The vectors stay in the job's result; the stream's done event carries only the usage.
    expect(events.map((event) => [event.type, event.data])).toEqual([
      [
        'done',
        {
          text: '',
          usage: { prompt_tokens: 7, completion_tokens: 0 },
          finished_at: expect.any(String),
        },
      ],
    ]);
  });

  it('loses its texts and vectors to content retention, keeping the usage', async () => {
    const provider = await registerProvider(db, { specs: specsServing('m') });
    const job = await completedEmbedding(db, provider.id, 7);
    expect(await db.retention.purgeContent({ retentionSeconds: 0 })).toBe(1);
    const purged = await db.jobs.findById(job.id);
    expect(purged).toMatchObject({
      type: 'embedding',
      input: { input: [] },
      result: { usage: { prompt_tokens: 7, completion_tokens: 0 } },
    });
    expect(JSON.stringify(purged)).not.toMatch(/secret|AACAPw/);
  });

  it('earns the reported prompt tokens at the model price, never more than the input bytes', async () => {
    const provider = await registerProvider(db, { specs: specsServing('m') });
    const earnFor = async (promptTokens: number) => {
      const job = await completedEmbedding(db, provider.id, promptTokens, {
        pricePerMillionTokens: '0',
        modelPrices: { m: '1000000' },
      });
      const entries = await db.ledger.entriesForJob(job.id);
      return entries.find((entry) => entry.account === `provider:${provider.id}`)?.amount;
    };
    expect(await earnFor(7)).toBe('7');
    // An inflated count is capped by the size of what was embedded.
    const cap = EMBEDDING_INPUT.input.reduce(
      (total, text) => total + Buffer.byteLength(text) + 2,
      0,
    );
    expect(Number(await earnFor(1_000_000))).toBe(cap);
  });
});
