import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
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

/** A fresh, empty PostgreSQL database, dropped after the test. */
async function scratchUrl(url: string): Promise<string> {
  const scratch = await createScratchDatabase(url);
  cleanups.push(() => scratch.drop());
  return scratch.url;
}

function postgresClient(url: string): SqlClient {
  const client = createPostgresClient(new Pool({ connectionString: url }));
  cleanups.push(() => client.close());
  return client;
}

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
  const url = await scratchUrl(databaseUrl);
  return [postgresClient(url), postgresClient(url)];
}

/** An empty database with no migrations applied. */
async function freshClient(): Promise<SqlClient> {
  if (databaseUrl) return postgresClient(await scratchUrl(databaseUrl));
  const client = createPgliteClient(await PGlite.create());
  cleanups.push(() => client.close());
  return client;
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
      'ledger_transfers',
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

  it('carries earnings posted as two-entry transactions over to transfers (0014)', async () => {
    const client = await freshClient();
    const migrations = await loadMigrations();
    await applyMigrations(
      client,
      migrations.filter((migration) => migration.version < '0014'),
    );
    const [job] = await client.query<{ id: string }>(
      `INSERT INTO jobs (model, title, input, stream_token_hash)
       VALUES ('m', 't', '{}', repeat('a', 64)) RETURNING id`,
    );
    await client.query(
      `WITH posted AS (
         INSERT INTO ledger_transactions (kind, job_id) VALUES ('job_earning', $1) RETURNING id)
       INSERT INTO ledger_entries (transaction_id, account, amount)
       SELECT posted.id, entry.account, entry.amount::numeric FROM posted,
         (VALUES ('platform:consumer-payments', '-1.5'), ('provider:p', '1.5'))
           AS entry(account, amount)`,
      [job!.id],
    );

    await applyMigrations(client, migrations);
    expect(
      await client.query(
        `SELECT debit_account, credit_account, trim_scale(amount)::text AS amount
         FROM ledger_transfers WHERE job_id = $1`,
        [job!.id],
      ),
    ).toEqual([
      { debit_account: 'platform:consumer-payments', credit_account: 'provider:p', amount: '1.5' },
    ]);
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
