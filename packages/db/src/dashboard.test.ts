import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestDatabase } from './test-database';
import {
  claimedJob,
  completedEmbedding,
  insertAccounts,
  randomHex,
  registerProvider,
  specsServing,
} from './test-fixtures';
import type { Database } from './types';

const databaseUrl = process.env.TEST_DATABASE_URL;
const SECRET = 'a secret text';

let db: Database;
beforeEach(async () => {
  db = await openTestDatabase({ databaseUrl });
});
afterEach(async () => {
  await db.close();
});

async function linkedProvider(accountId: string, models = ['m']) {
  const provider = await registerProvider(db, { specs: specsServing(...models) });
  const linked = await db.accounts.linkProvider(provider.publicKey, accountId);
  expect(linked.ok).toBe(true);
  return provider;
}

/** An embedding of `SECRET` alone, priced at 1 per million tokens. */
const SECRET_EMBEDDING = {
  input: { input: [SECRET] },
  embeddings: ['AACAPwAAAEA='],
  pricePerMillionTokens: '1',
};

describe('dashboard queries', () => {
  it("counts a chat's streamed tokens and an embedding's input tokens, per node and network-wide", async () => {
    await insertAccounts(db, 'operator');
    const provider = await linkedProvider('operator');
    const chat = await claimedJob(db, provider, 'm');
    await db.events.append(chat.id, provider.id, [
      { event_type: 'token', data: { text: 'a' } },
      { event_type: 'token', data: { text: 'b' } },
      { event_type: 'token', data: { text: 'c' } },
    ]);
    await db.jobs.complete({
      jobId: chat.id,
      providerId: provider.id,
      status: 'completed',
      result: { text: 'abc' },
      error: null,
      pricePerMillionTokens: '1',
    });
    const embedding = await completedEmbedding(db, provider.id, 7, SECRET_EMBEDDING);

    const [node] = await db.dashboard.accountNodes('operator');
    expect(node).toMatchObject({ jobsCompleted: 2, tokensServed: 10, earnings: '0.00001' });
    const jobs = await db.dashboard.accountJobs('operator', 10);
    expect(jobs.map((job) => [job.id, job.tokens])).toEqual([
      [embedding.id, 7],
      [chat.id, 3],
    ]);
    expect(JSON.stringify(jobs)).not.toContain(SECRET);
    expect(await db.dashboard.providerActivity(provider.id)).toEqual({
      jobsCompleted: 2,
      jobsCompletedLastHour: 2,
      tokensServedLastHour: 10,
    });
    expect(await db.dashboard.networkThroughput(60)).toEqual({ tokens: 10, jobs: 2 });
  });

  it('takes the newest jobs across all of the account’s nodes, and none of anyone else’s', async () => {
    await insertAccounts(db, 'operator', 'other');
    const first = await linkedProvider('operator', ['a']);
    const second = await linkedProvider('operator', ['b']);
    const foreign = await linkedProvider('other', ['c']);
    const older = await claimedJob(db, first, 'a');
    const newer = await claimedJob(db, second, 'b');
    await claimedJob(db, foreign, 'c');

    const jobs = await db.dashboard.accountJobs('operator', 10);
    expect(jobs.map((job) => job.id)).toEqual([newer.id, older.id]);
    expect((await db.dashboard.accountJobs('operator', 1)).map((job) => job.id)).toEqual([
      newer.id,
    ]);
    expect(await db.dashboard.accountJobs('nobody', 10)).toEqual([]);
    expect(await db.dashboard.accountNodes('nobody')).toEqual([]);
  });
});

describe('accounts.deleteAccount', () => {
  it('reports an account that does not exist and changes nothing', async () => {
    expect(await db.accounts.deleteAccount('ghost')).toEqual({
      deleted: false,
      cancelledJobIds: [],
      purgedJobs: 0,
      unlinkedNodes: 0,
    });
  });

  it('unlinks the nodes, leaves their earnings, and cancels and purges the owned jobs', async () => {
    await insertAccounts(db, 'leaving');
    const provider = await linkedProvider('leaving');
    await completedEmbedding(db, provider.id, 4, SECRET_EMBEDDING);
    const waiting = await db.jobs.createChat({
      model: 'nobody-serves-this',
      title: 'chat',
      input: { messages: [{ role: 'user', content: SECRET }], max_tokens: 4, temperature: 0 },
      streamTokenHash: randomHex(),
      ownerAccountId: 'leaving',
    });

    const result = await db.accounts.deleteAccount('leaving');
    expect(result).toEqual({
      deleted: true,
      cancelledJobIds: [waiting!.id],
      purgedJobs: 1,
      unlinkedNodes: 1,
    });
    const ended = await db.jobs.findById(waiting!.id);
    expect(ended).toMatchObject({
      status: 'cancelled',
      ownerAccountId: null,
      input: { messages: [] },
    });
    const events = await db.events.listAfter(waiting!.id, 0, 10);
    expect(events.at(-1)).toMatchObject({ type: 'error', data: { code: 'CANCELLED' } });
    const [node] = await db.dashboard.accountNodes('leaving');
    expect(node).toBeUndefined();
    expect(await db.ledger.balance(`provider:${provider.id}`)).toBe('0.000004');
  });
});
