import { Kysely, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONSUMER_PAYMENTS_ACCOUNT, providerAccount } from './ledger';
import { openTestDatabase } from './test-database';
import { claimedJob, registerProvider } from './test-fixtures';
import type { Database, ProviderRecord } from './types';

const databaseUrl = process.env.TEST_DATABASE_URL;
const tokens = (count: number) =>
  Array.from({ length: count }, (_, index) => ({
    event_type: 'token' as const,
    data: { text: `${index}` },
  }));

let db: Database;
let provider: ProviderRecord;
beforeEach(async () => {
  db = await openTestDatabase({ databaseUrl });
  provider = await registerProvider(db);
});
afterEach(async () => {
  await db.close();
});

async function finishedJob(options: { delivered: number; reported?: number; price: string }) {
  const job = await claimedJob(db, provider);
  await db.events.append(job.id, provider.id, tokens(options.delivered));
  const input = {
    jobId: job.id,
    providerId: provider.id,
    status: 'completed' as const,
    result:
      options.reported === undefined
        ? { text: 'x' }
        : { text: 'x', usage: { prompt_tokens: 1, completion_tokens: options.reported } },
    error: null,
    pricePerMillionTokens: options.price,
  };
  return { job, input };
}

describe('earnings ledger', () => {
  it('posts exactly one balanced earning per completed job, priced per delivered token', async () => {
    const { job, input } = await finishedJob({ delivered: 3, price: '2.5' });
    await db.jobs.complete(input);
    await db.jobs.complete(input);
    const entries = await db.ledger.entriesForJob(job.id);
    expect(entries.map((entry) => [entry.account, entry.amount])).toEqual([
      [providerAccount(provider.id), '0.0000075'],
      [CONSUMER_PAYMENTS_ACCOUNT, '-0.0000075'],
    ]);
    expect(await db.ledger.balance(providerAccount(provider.id))).toBe('0.0000075');
  });

  it('bills the smaller of the delivered and the reported token counts', async () => {
    const inflated = await finishedJob({ delivered: 4, reported: 1000, price: '1000000' });
    await db.jobs.complete(inflated.input);
    const understated = await finishedJob({ delivered: 4, reported: 2, price: '1000000' });
    await db.jobs.complete(understated.input);
    expect(await db.ledger.balance(providerAccount(provider.id))).toBe('6');
  });

  it('prices by the job’s model when it has its own rate, and by the default otherwise', async () => {
    const special = await finishedJob({ delivered: 2, price: '1000000' });
    await db.jobs.complete({
      ...special.input,
      modelPrices: { [special.job.model]: '3000000', 'some-other-model': '9' },
    });
    const ordinary = await finishedJob({ delivered: 2, price: '1000000' });
    await db.jobs.complete({ ...ordinary.input, modelPrices: { 'some-other-model': '9' } });
    const amounts = async (jobId: string) =>
      (await db.ledger.entriesForJob(jobId)).map((entry) => entry.amount);
    expect(await amounts(special.job.id)).toEqual(['6', '-6']);
    expect(await amounts(ordinary.job.id)).toEqual(['2', '-2']);
  });

  it('allows a zero price and posts nothing for failed jobs', async () => {
    const free = await finishedJob({ delivered: 2, price: '0' });
    await db.jobs.complete(free.input);
    expect((await db.ledger.entriesForJob(free.job.id)).map((entry) => entry.amount)).toEqual([
      '0',
      '0',
    ]);
    const failed = await finishedJob({ delivered: 2, price: '5' });
    await db.jobs.complete({ ...failed.input, status: 'failed', error: 'engine crashed' });
    expect(await db.ledger.entriesForJob(failed.job.id)).toEqual([]);
    expect(await db.ledger.balance(providerAccount(provider.id))).toBe('0');
  });

  describe('transfer rules', () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped tables in a test.
    let kysely: Kysely<any>;
    beforeEach(() => {
      kysely = new Kysely({ dialect: db.kyselyDialect });
    });
    afterEach(async () => {
      await kysely.destroy();
    });

    const postTransfer = (jobId: string, debit: string, credit: string, amount: string) =>
      sql`INSERT INTO ledger_transfers (kind, job_id, debit_account, credit_account, amount)
          VALUES ('job_earning', ${jobId}, ${debit}, ${credit}, ${amount}::numeric)`.execute(
        kysely,
      );

    it('shows each transfer as two entries that sum to zero', async () => {
      const job = await claimedJob(db, provider);
      await postTransfer(job.id, 'platform:y', 'provider:x', '1.25');
      expect(
        (await db.ledger.entriesForJob(job.id)).map((entry) => [entry.account, entry.amount]),
      ).toEqual([
        ['provider:x', '1.25'],
        ['platform:y', '-1.25'],
      ]);
      expect(await db.ledger.balance('provider:x')).toBe('1.25');
      expect(await db.ledger.balance('platform:y')).toBe('-1.25');
    });

    it('refuses a negative amount, one account on both sides and a second earning', async () => {
      const job = await claimedJob(db, provider);
      await expect(postTransfer(job.id, 'platform:y', 'provider:x', '-1')).rejects.toThrow(
        /ledger_transfers_amount_not_negative/,
      );
      await expect(postTransfer(job.id, 'provider:x', 'provider:x', '1')).rejects.toThrow(
        /ledger_transfers_two_accounts/,
      );
      await postTransfer(job.id, 'platform:y', 'provider:x', '1');
      await expect(postTransfer(job.id, 'platform:y', 'provider:x', '1')).rejects.toThrow(
        /ledger_transfers_one_per_job/,
      );
      expect(await db.ledger.entriesForJob(job.id)).toHaveLength(2);
    });
  });
});
