import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestDatabase } from './test-database';
import { randomHex } from './test-fixtures';
import type { Database } from './types';

const databaseUrl = process.env.TEST_DATABASE_URL;

let db: Database;
beforeEach(async () => {
  db = await openTestDatabase({ databaseUrl });
});
afterEach(async () => {
  await db.close();
});

const MINUTE_MS = 60_000;

/** Re-checks `check` until it holds; fails after `timeoutMs`. */
async function until(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
  }
}

describe('rate-limit counters', () => {
  it('counts within a window and says when it ends', async () => {
    const key = `test:${randomHex(8)}`;
    expect(await db.rateLimits.get(key)).toBeNull();
    const first = await db.rateLimits.add(key, 1, MINUTE_MS);
    expect(first.points).toBe(1);
    expect(first.msBeforeReset).toBeGreaterThan(MINUTE_MS - 5_000);
    expect(first.msBeforeReset).toBeLessThanOrEqual(MINUTE_MS);
    expect((await db.rateLimits.add(key, 2, MINUTE_MS)).points).toBe(3);
    expect((await db.rateLimits.get(key))?.points).toBe(3);
    expect((await db.rateLimits.add(`${key}-other`, 1, MINUTE_MS)).points).toBe(1);
  });

  it('loses no count when many requests arrive at once', async () => {
    const key = `test:${randomHex(8)}`;
    const totals = await Promise.all(
      Array.from({ length: 20 }, () => db.rateLimits.add(key, 1, MINUTE_MS)),
    );
    expect(totals.map((counter) => counter.points).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, index) => index + 1),
    );
  });

  it('starts a new window once the old one ended, or on restart', async () => {
    const key = `test:${randomHex(8)}`;
    await db.rateLimits.add(key, 5, MINUTE_MS);
    expect((await db.rateLimits.add(key, 2, MINUTE_MS, { restart: true })).points).toBe(2);
    await db.rateLimits.add(key, 7, 1, { restart: true });
    await until(async () => (await db.rateLimits.get(key)) === null);
    expect((await db.rateLimits.add(key, 1, MINUTE_MS)).points).toBe(1);
  });

  it('keeps a counter without a window until it is deleted', async () => {
    const key = `test:${randomHex(8)}`;
    expect((await db.rateLimits.add(key, 4, 0)).msBeforeReset).toBe(-1);
    expect(await db.rateLimits.prune()).toBe(0);
    expect(await db.rateLimits.delete(key)).toBe(true);
    expect(await db.rateLimits.delete(key)).toBe(false);
    expect(await db.rateLimits.get(key)).toBeNull();
  });

  it('prunes counters whose window ended', async () => {
    const ended = `test:${randomHex(8)}`;
    const running = `test:${randomHex(8)}`;
    await db.rateLimits.add(ended, 1, 1);
    await db.rateLimits.add(running, 1, MINUTE_MS);
    await until(async () => (await db.rateLimits.get(ended)) === null);
    expect(await db.rateLimits.prune()).toBe(1);
    expect((await db.rateLimits.get(running))?.points).toBe(1);
  });
});
