import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { applyMigrations, loadMigrations } from './migrations';
import { openDatabase } from './open-database';
import { createPgliteClient } from './pglite-client';
import { createPostgresClient } from './postgres-client';
import type { SqlClient } from './sql-client';
import { createScratchDatabase, parkTestPglite, takeTestPglite } from './test-database';
import { registerProvider } from './test-fixtures';

const databaseUrl = process.env.TEST_DATABASE_URL;
const onPglite = !databaseUrl;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * Two clients on one database: on PostgreSQL two pools on a fresh, empty one,
 * as two processes would be; on PGlite one already migrated instance (a fresh
 * one costs an initdb; the first migration run is covered by the data
 * directory test below and by the test template).
 */
async function twoClients(): Promise<[SqlClient, SqlClient]> {
  if (!databaseUrl) {
    const pglite = await takeTestPglite();
    const client = createPgliteClient(pglite, () => parkTestPglite(pglite));
    cleanups.push(() => client.close());
    return [client, client];
  }
  const scratch = await createScratchDatabase(databaseUrl);
  cleanups.push(() => scratch.drop());
  const clients = [0, 1].map(() => {
    const pool = new Pool({ connectionString: scratch.url });
    const client = createPostgresClient(pool);
    cleanups.push(() => client.close());
    return client;
  });
  return [clients[0] as SqlClient, clients[1] as SqlClient];
}

describe('migrations', () => {
  it('finds the checked-in files in order', async () => {
    const migrations = await loadMigrations();
    expect(migrations[0]?.version).toBe('0001_init');
    const versions = migrations.map((migration) => migration.version);
    expect(versions).toEqual([...versions].sort());
  });

  it('applies each migration once, also when two openers race and when run again', async () => {
    const migrations = await loadMigrations();
    const [first, second] = await twoClients();
    await Promise.all([applyMigrations(first, migrations), applyMigrations(second, migrations)]);
    await applyMigrations(first, migrations);

    const recorded = await first.query<{ version: string }>(
      'SELECT version FROM schema_migrations ORDER BY version',
    );
    expect(recorded.map((row) => row.version)).toEqual(migrations.map((item) => item.version));
    const tables = await first.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables
       WHERE table_schema = 'public' ORDER BY table_name`,
    );
    expect(tables.map((row) => row.table_name)).toEqual([
      'account_credentials',
      'account_sessions',
      'account_verifications',
      'accounts',
      'api_keys',
      'auth_rate_limits',
      'deploy_token_nodes',
      'deploy_tokens',
      'device_codes',
      'job_events',
      'job_stream_readers',
      'jobs',
      'ledger_entries',
      'ledger_transactions',
      'provider_payouts',
      'providers',
      'rate_limits',
      'replay_nonces',
      'schema_migrations',
      'server_secrets',
    ]);
  });

  it('rolls a failing migration back and names it', async () => {
    const [client] = await twoClients();
    const broken = [
      { version: '9999_broken', sql: 'CREATE TABLE half_done (id int); SELECT 1/0;' },
    ];
    await expect(applyMigrations(client, broken)).rejects.toThrow('9999_broken');
    const leftovers = await client.query(
      `SELECT 1 FROM information_schema.tables WHERE table_name = 'half_done'`,
    );
    expect(leftovers).toEqual([]);
  });

  it.skipIf(!onPglite)('reopens a PGlite data directory with its data', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'infernet-db-'));
    cleanups.push(() => rm(directory, { recursive: true, force: true }));
    const dataDirectory = join(directory, 'pglite');
    const first = await openDatabase({ dataDirectory });
    const provider = await registerProvider(first);
    await first.close();

    const second = await openDatabase({ dataDirectory });
    cleanups.push(() => second.close());
    expect(second.kind).toBe('pglite');
    expect(await second.providers.findById(provider.id)).toEqual(provider);
  });

  it.skipIf(onPglite)(
    'opens one PostgreSQL database from two Database instances at once',
    async () => {
      const scratch = await createScratchDatabase(databaseUrl ?? '');
      cleanups.push(() => scratch.drop());
      const both = await Promise.all([
        openDatabase({ databaseUrl: scratch.url }),
        openDatabase({ databaseUrl: scratch.url }),
      ]);
      for (const db of both) cleanups.push(() => db.close());
      expect(both.map((db) => db.kind)).toEqual(['postgres', 'postgres']);
      const provider = await registerProvider(both[0]);
      expect(await both[1].providers.findById(provider.id)).toEqual(provider);
    },
  );
});
