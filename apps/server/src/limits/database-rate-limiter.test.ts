import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestDatabase, type Database, type RateLimitQueries } from '@infernet/db';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { DatabaseRateLimiter } from './database-rate-limiter';

let db: Database;
beforeEach(async () => {
  db = await openTestDatabase({ databaseUrl: process.env.TEST_DATABASE_URL });
});
afterEach(async () => {
  await db.close();
});

describe('DatabaseRateLimiter', () => {
  it('counts in the database and rejects past the points with the time to wait', async () => {
    const limiter = new DatabaseRateLimiter({
      counters: db.rateLimits,
      keyPrefix: 'test',
      points: 2,
      duration: 60,
    });
    const first = await limiter.consume('ip:203.0.113.7');
    expect(first).toMatchObject({ consumedPoints: 1, remainingPoints: 1, isFirstInDuration: true });
    await limiter.consume('ip:203.0.113.7');
    const refusal = await limiter.consume('ip:203.0.113.7').catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(RateLimiterRes);
    expect((refusal as RateLimiterRes).msBeforeNext).toBeGreaterThan(55_000);
    expect((await db.rateLimits.get('test:ip:203.0.113.7'))?.points).toBe(3);
    expect((await limiter.get('ip:203.0.113.7'))?.consumedPoints).toBe(3);
    expect(await limiter.delete('ip:203.0.113.7')).toBe(true);
    expect((await limiter.consume('ip:203.0.113.7')).consumedPoints).toBe(1);
  });

  it('counts in memory while the database cannot answer', async () => {
    const failing: RateLimitQueries = {
      add: () => Promise.reject(new Error('database down')),
      get: () => Promise.reject(new Error('database down')),
      delete: () => Promise.reject(new Error('database down')),
      prune: () => Promise.reject(new Error('database down')),
    };
    const limiter = new DatabaseRateLimiter({
      counters: failing,
      keyPrefix: 'test',
      points: 1,
      duration: 60,
      insuranceLimiter: new RateLimiterMemory({ keyPrefix: 'test', points: 1, duration: 60 }),
    });
    await limiter.consume('ip:203.0.113.7');
    await expect(limiter.consume('ip:203.0.113.7')).rejects.toBeInstanceOf(RateLimiterRes);
  });
});
