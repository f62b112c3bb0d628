import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { providerAccount } from './ledger';
import { openTestDatabase } from './test-database';
import { claimedJob, registerProvider } from './test-fixtures';
import type { Database, ProviderRecord } from './types';

const databaseUrl = process.env.TEST_DATABASE_URL;
const ADDRESS = '0x52908400098527886E0F7030069857D2E4169EE7';
const OTHER_ADDRESS = '0x8617E340B3D01FA5F11F306F4090FD50E238070D';

let db: Database;
let provider: ProviderRecord;
beforeEach(async () => {
  db = await openTestDatabase({ databaseUrl });
  provider = await registerProvider(db);
});
afterEach(async () => {
  await db.close();
});

describe('payout addresses', () => {
  it('keeps one address per coin, replacing it on a second set', async () => {
    await db.payouts.set({ providerId: provider.id, coin: 'ETH', address: ADDRESS });
    await db.payouts.set({ providerId: provider.id, coin: 'BTC', address: 'bc1qexample' });
    const replaced = await db.payouts.set({
      providerId: provider.id,
      coin: 'ETH',
      address: OTHER_ADDRESS,
    });
    expect(replaced).toMatchObject({
      providerId: provider.id,
      coin: 'ETH',
      address: OTHER_ADDRESS,
    });
    const rows = await db.payouts.list(provider.id);
    expect(rows.map((row) => [row.coin, row.address])).toEqual([
      ['BTC', 'bc1qexample'],
      ['ETH', OTHER_ADDRESS],
    ]);
    expect(rows[1]?.updatedAt.getTime()).toBeGreaterThanOrEqual(rows[1]?.createdAt.getTime() ?? 0);
  });

  it('keeps updated_at when the same address is set again', async () => {
    const first = await db.payouts.set({ providerId: provider.id, coin: 'ETH', address: ADDRESS });
    const again = await db.payouts.set({ providerId: provider.id, coin: 'ETH', address: ADDRESS });
    expect(again.updatedAt).toEqual(first.updatedAt);
  });

  it("lists only the provider's own rows, and none for an id that is not a uuid", async () => {
    const other = await registerProvider(db);
    await db.payouts.set({ providerId: other.id, coin: 'ETH', address: ADDRESS });
    expect(await db.payouts.list(provider.id)).toEqual([]);
    expect(await db.payouts.list('not-a-uuid')).toEqual([]);
  });

  it('drops the rows with the provider', async () => {
    await db.payouts.set({ providerId: provider.id, coin: 'ETH', address: ADDRESS });
    await db.providers.remove(provider.publicKey);
    expect(await db.payouts.list(provider.id)).toEqual([]);
  });
});

describe('recent ledger entries', () => {
  it("lists an account's entries newest first, at most `limit`", async () => {
    const jobs = [];
    for (let index = 0; index < 3; index += 1) {
      const job = await claimedJob(db, provider);
      await db.events.append(job.id, provider.id, [{ event_type: 'token', data: { text: 'x' } }]);
      await db.jobs.complete({
        jobId: job.id,
        providerId: provider.id,
        status: 'completed',
        result: { text: 'x' },
        error: null,
        pricePerMillionTokens: '1000000',
      });
      jobs.push(job.id);
    }
    const entries = await db.ledger.recentEntries(providerAccount(provider.id), 2);
    expect(entries.map((entry) => [entry.jobId, entry.amount])).toEqual([
      [jobs[2], '1'],
      [jobs[1], '1'],
    ]);
    expect(await db.ledger.recentEntries(providerAccount('nobody'), 10)).toEqual([]);
  });
});
