import { Kysely, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestDatabase } from './test-database';
import { insertAccounts, randomHex, registerProvider } from './test-fixtures';
import type { Database } from './types';

const databaseUrl = process.env.TEST_DATABASE_URL;

let db: Database;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped tables in a test.
let kysely: Kysely<any>;
beforeEach(async () => {
  db = await openTestDatabase({ databaseUrl });
  kysely = new Kysely({ dialect: db.kyselyDialect });
});
afterEach(async () => {
  await kysely.destroy();
  await db.close();
});

describe('the Kysely dialect', () => {
  it('reports affected rows and commits or rolls back transactions', async () => {
    await insertAccounts(db, 'a1', 'a2');
    const updated = await kysely
      .updateTable('accounts')
      .set({ name: 'renamed' })
      .executeTakeFirst();
    expect(updated.numUpdatedRows).toBe(2n);

    await kysely.transaction().execute(async (transaction) => {
      await transaction
        .insertInto('accounts')
        .values({ id: 'a3', name: 'a3', email: 'a3@x' })
        .execute();
    });
    await expect(
      kysely.transaction().execute(async (transaction) => {
        await transaction
          .insertInto('accounts')
          .values({ id: 'a4', name: 'a4', email: 'a4@x' })
          .execute();
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    const { rows } = await sql<{ id: string }>`SELECT id FROM accounts ORDER BY id`.execute(kysely);
    expect(rows.map((row) => row.id)).toEqual(['a1', 'a2', 'a3']);
    const deleted = await kysely.deleteFrom('accounts').where('id', '=', 'a3').executeTakeFirst();
    expect(deleted.numDeletedRows).toBe(1n);
  });
});

describe('accounts.apiKeys', () => {
  it('finds a key by its hash until it is revoked, and lists only live keys', async () => {
    await insertAccounts(db, 'owner', 'other');
    const keyHash = randomHex();
    const created = await db.accounts.createApiKey({
      accountId: 'owner',
      name: 'ci',
      prefix: 'inf_abcdefgh',
      keyHash,
    });
    expect(created).toMatchObject({ accountId: 'owner', name: 'ci', lastUsedAt: null });
    expect(await db.accounts.findApiKey(keyHash)).toEqual({
      keyId: created.id,
      accountId: 'owner',
    });
    expect((await db.accounts.listApiKeys('owner'))[0]?.lastUsedAt).toBeInstanceOf(Date);
    expect(await db.accounts.findApiKey(randomHex())).toBeNull();

    expect(await db.accounts.revokeApiKey('other', created.id)).toBe(false);
    expect(await db.accounts.revokeApiKey('owner', 'not-a-uuid')).toBe(false);
    expect(await db.accounts.revokeApiKey('owner', created.id)).toBe(true);
    expect(await db.accounts.revokeApiKey('owner', created.id)).toBe(false);
    expect(await db.accounts.findApiKey(keyHash)).toBeNull();
    expect(await db.accounts.listApiKeys('owner')).toEqual([]);
  });
});

describe('accounts.sharedSecret', () => {
  it('keeps the first candidate for every later caller', async () => {
    const [first, second] = await Promise.all([
      db.accounts.sharedSecret('auth', 'candidate-one'),
      db.accounts.sharedSecret('auth', 'candidate-two'),
    ]);
    expect(first).toBe(second);
    expect(await db.accounts.sharedSecret('auth', 'candidate-three')).toBe(first);
  });
});

describe('accounts.linkProvider', () => {
  it('links a node to one account only', async () => {
    await insertAccounts(db, 'operator', 'rival');
    const provider = await registerProvider(db);
    expect(await db.accounts.linkProvider(provider.publicKey, 'operator')).toEqual({
      ok: true,
      providerId: provider.id,
    });
    expect(await db.accounts.linkProvider(provider.publicKey, 'operator')).toMatchObject({
      ok: true,
    });
    expect(await db.accounts.linkProvider(provider.publicKey, 'rival')).toEqual({
      ok: false,
      reason: 'linked_elsewhere',
    });
    expect(await db.accounts.linkProvider(randomHex(), 'operator')).toEqual({
      ok: false,
      reason: 'not_registered',
    });
  });
});
