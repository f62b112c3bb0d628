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

function secondsFromNow(seconds: number): Date {
  return new Date(Date.now() + seconds * 1_000);
}

describe('replay store', () => {
  it('remembers a pair once', async () => {
    const publicKey = randomHex();
    expect(await db.replay.remember(publicKey, 'nonce-1', secondsFromNow(120))).toBe(true);
    expect(await db.replay.remember(publicKey, 'nonce-1', secondsFromNow(120))).toBe(false);
    expect(await db.replay.remember(publicKey, 'nonce-2', secondsFromNow(120))).toBe(true);
    expect(await db.replay.remember(randomHex(), 'nonce-1', secondsFromNow(120))).toBe(true);
  });

  it('lets only one of many simultaneous identical requests through', async () => {
    const publicKey = randomHex();
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, () => db.replay.remember(publicKey, 'same', secondsFromNow(120))),
    );
    expect(outcomes.filter(Boolean)).toHaveLength(1);
  });

  it('treats an expired pair as absent', async () => {
    const publicKey = randomHex();
    expect(await db.replay.remember(publicKey, 'old', secondsFromNow(-1))).toBe(true);
    expect(await db.replay.remember(publicKey, 'old', secondsFromNow(120))).toBe(true);
    expect(await db.replay.remember(publicKey, 'old', secondsFromNow(120))).toBe(false);
  });

  it('prunes expired rows only', async () => {
    const publicKey = randomHex();
    await db.replay.remember(publicKey, 'a', secondsFromNow(-10));
    await db.replay.remember(publicKey, 'b', secondsFromNow(-5));
    await db.replay.remember(publicKey, 'c', secondsFromNow(300));
    expect(await db.replay.prune(new Date())).toBe(2);
    expect(await db.replay.prune(new Date())).toBe(0);
    expect(await db.replay.remember(publicKey, 'c', secondsFromNow(300))).toBe(false);
  });
});
