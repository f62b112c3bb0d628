import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestDatabase } from './test-database';
import { insertAccounts, randomHex, registerProvider } from './test-fixtures';
import type { Database } from './types';

const databaseUrl = process.env.TEST_DATABASE_URL;
const HOUR = 3_600_000;

let db: Database;
beforeEach(async () => {
  db = await openTestDatabase({ databaseUrl });
  await insertAccounts(db, 'owner', 'other');
});
afterEach(async () => {
  await db.close();
});

function createToken(createdAt: Date, tokenHash = randomHex()) {
  return db.deployTokens.create({
    accountId: 'owner',
    label: 'runpod:gpu-1',
    tokenHash,
    createdAt,
    expiresAt: new Date(createdAt.getTime() + 24 * HOUR),
  });
}

describe('deployTokens', () => {
  it('accepts a token until it expires, noting each use', async () => {
    const createdAt = new Date('2026-01-01T00:00:00Z');
    const tokenHash = randomHex();
    const created = await createToken(createdAt, tokenHash);
    expect(created).toMatchObject({
      accountId: 'owner',
      label: 'runpod:gpu-1',
      createdAt,
      expiresAt: new Date(createdAt.getTime() + 24 * HOUR),
      revokedAt: null,
      lastUsedAt: null,
      nodesLinked: 0,
    });

    const usedAt = new Date(createdAt.getTime() + HOUR);
    expect(await db.deployTokens.use(tokenHash, usedAt)).toEqual({
      tokenId: created.id,
      accountId: 'owner',
    });
    expect((await db.deployTokens.list('owner'))[0]?.lastUsedAt).toEqual(usedAt);
    expect(await db.deployTokens.use(randomHex(), usedAt)).toBeNull();
    expect(await db.deployTokens.use(tokenHash, created.expiresAt)).toBeNull();
  });

  it('revokes only the owner’s token, and a revoked token is refused', async () => {
    const now = new Date();
    const tokenHash = randomHex();
    const created = await createToken(now, tokenHash);
    expect(await db.deployTokens.revoke('other', created.id, now)).toBeNull();
    expect(await db.deployTokens.revoke('owner', 'not-a-uuid', now)).toBeNull();
    expect(await db.deployTokens.use(tokenHash, now)).not.toBeNull();

    const revoked = await db.deployTokens.revoke('owner', created.id, now);
    expect(revoked?.revokedAt).toEqual(now);
    // Revoking again keeps the first time.
    const later = new Date(now.getTime() + HOUR);
    expect((await db.deployTokens.revoke('owner', created.id, later))?.revokedAt).toEqual(now);
    expect(await db.deployTokens.use(tokenHash, now)).toBeNull();
    expect(await db.deployTokens.list('other')).toEqual([]);
    expect((await db.deployTokens.list('owner')).map((token) => token.id)).toEqual([created.id]);
  });

  it('counts each linked node once and lists the newest token first', async () => {
    const first = await createToken(new Date(Date.now() - HOUR));
    const second = await createToken(new Date());
    const nodeA = await registerProvider(db);
    const nodeB = await registerProvider(db);
    const now = new Date();
    await db.deployTokens.recordLink(first.id, nodeA.id, now);
    await db.deployTokens.recordLink(first.id, nodeA.id, now);
    await db.deployTokens.recordLink(first.id, nodeB.id, now);
    const listed = await db.deployTokens.list('owner');
    expect(listed.map((token) => [token.id, token.nodesLinked])).toEqual([
      [second.id, 0],
      [first.id, 2],
    ]);
  });
});
