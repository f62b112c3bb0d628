import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestDatabase } from './test-database';
import { insertAccounts, randomHex, registerProvider } from './test-fixtures';
import type { Database, ProviderRecord } from './types';

const databaseUrl = process.env.TEST_DATABASE_URL;
const TEN_MINUTES = 600_000;

let db: Database;
let node: ProviderRecord;
beforeEach(async () => {
  db = await openTestDatabase({ databaseUrl });
  await insertAccounts(db, 'operator');
  node = await registerProvider(db, { name: 'gpu box' });
});
afterEach(async () => {
  await db.close();
});

function createCode(userCode: string, createdAt: Date, deviceCodeHash = randomHex()) {
  return db.deviceCodes.create({
    providerId: node.id,
    deviceCodeHash,
    userCode,
    createdAt,
    expiresAt: new Date(createdAt.getTime() + TEN_MINUTES),
  });
}

describe('deviceCodes', () => {
  it('finds a pending code by either code, with its node', async () => {
    const now = new Date();
    const deviceCodeHash = randomHex();
    const created = await createCode('ABCDEFGH', now, deviceCodeHash);
    expect(created).toMatchObject({
      userCode: 'ABCDEFGH',
      providerId: node.id,
      nodeId: node.nodeId,
      nodeName: 'gpu box',
      publicKey: node.publicKey,
      status: 'pending',
      accountId: null,
      createdAt: now,
      decidedAt: null,
    });
    expect(await db.deviceCodes.findByUserCode('ABCDEFGH')).toEqual(created);
    expect(await db.deviceCodes.findByDeviceCode(deviceCodeHash)).toEqual(created);
    expect(await db.deviceCodes.findByUserCode('HGFEDCBA')).toBeNull();
    expect(await db.deviceCodes.findByDeviceCode(randomHex())).toBeNull();
  });

  it('refuses a user code that is taken, so the caller draws another', async () => {
    const now = new Date();
    expect(await createCode('ABCDEFGH', now)).not.toBeNull();
    expect(await createCode('ABCDEFGH', now)).toBeNull();
  });

  it('decides a pending code once, and never an expired one', async () => {
    const now = new Date();
    await createCode('ABCDEFGH', now);
    const decided = await db.deviceCodes.decide({
      userCode: 'ABCDEFGH',
      accountId: 'operator',
      approve: true,
      now,
    });
    expect(decided).toMatchObject({ status: 'approved', accountId: 'operator', decidedAt: now });
    const again = { userCode: 'ABCDEFGH', accountId: 'operator', approve: false, now };
    expect(await db.deviceCodes.decide(again)).toBeNull();

    await createCode('JKLMNPQR', now);
    const expired = new Date(now.getTime() + TEN_MINUTES);
    const late = { userCode: 'JKLMNPQR', accountId: 'operator', approve: true, now: expired };
    expect(await db.deviceCodes.decide(late)).toBeNull();
    expect((await db.deviceCodes.findByUserCode('JKLMNPQR'))?.status).toBe('pending');
  });

  it('drops the node’s expired codes when it asks for a new one', async () => {
    const long = new Date(Date.now() - 2 * TEN_MINUTES);
    await createCode('ABCDEFGH', long);
    await createCode('JKLMNPQR', new Date());
    expect(await db.deviceCodes.findByUserCode('ABCDEFGH')).toBeNull();
    expect(await db.deviceCodes.findByUserCode('JKLMNPQR')).not.toBeNull();
  });
});
