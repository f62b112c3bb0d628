import { readdir, readFile } from 'node:fs/promises';
import { InfernetError } from '@infernet/protocol';
import type { SqlClient } from './sql-client';

const MIGRATIONS_DIRECTORY = new URL('../migrations/', import.meta.url);
const MIGRATION_FILE_PATTERN = /^\d{4}_[a-z0-9_]+\.sql$/;

/**
 * Every process that opens the database migrates it, so two copies of the
 * server starting together must not both apply a file. A transaction-scoped
 * advisory lock serialises them; the second waits, then sees the version
 * recorded and skips it. The key is an arbitrary constant of this package.
 */
const MIGRATION_LOCK_KEY = 4_693_202_117;

export interface Migration {
  /** The file name without `.sql`, e.g. `0001_init`; recorded in `schema_migrations`. */
  version: string;
  sql: string;
}

/** The checked-in migrations in file-name order. */
export async function loadMigrations(): Promise<Migration[]> {
  const names = (await readdir(MIGRATIONS_DIRECTORY))
    .filter((name) => MIGRATION_FILE_PATTERN.test(name))
    .sort();
  return Promise.all(
    names.map(async (name) => ({
      version: name.slice(0, -'.sql'.length),
      sql: await readFile(new URL(name, MIGRATIONS_DIRECTORY), 'utf8'),
    })),
  );
}

/**
 * Applies the migrations not yet recorded, each in its own transaction
 * together with its `schema_migrations` row, so a failure leaves the
 * database at the previous version.
 */
export async function applyMigrations(
  client: SqlClient,
  migrations: readonly Migration[],
): Promise<void> {
  await client.transaction(async (executor) => {
    await executor.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await executor.runScript(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version text PRIMARY KEY,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
  });
  for (const migration of migrations) {
    try {
      await client.transaction(async (executor) => {
        await executor.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
        const applied = await executor.query('SELECT 1 FROM schema_migrations WHERE version = $1', [
          migration.version,
        ]);
        if (applied.length > 0) return;
        await executor.runScript(migration.sql);
        await executor.query('INSERT INTO schema_migrations (version) VALUES ($1)', [
          migration.version,
        ]);
      });
    } catch (error) {
      throw new InfernetError('INTERNAL', `database migration ${migration.version} failed`, {
        cause: error,
      });
    }
  }
}
