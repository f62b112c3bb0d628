import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { Client, escapeIdentifier } from 'pg';
import { openDatabase, openPgliteDatabase } from './open-database';
import { loadPgliteTemplate } from './test-pglite-template';
import type { Database } from './types';

export interface TestDatabaseOptions {
  /**
   * A PostgreSQL URL whose role may create databases (tests pass
   * `process.env.TEST_DATABASE_URL`). A fresh database is created next to it
   * for every call. Absent: an in-memory PGlite.
   */
  databaseUrl?: string | undefined;
  /** As `OpenDatabaseOptions.listen`: false opens no LISTEN connection. */
  listen?: boolean | undefined;
}

export interface ScratchDatabase {
  /** Name of the new, empty database. */
  name: string;
  /** Connection URL of the new, empty database. */
  url: string;
  /** Ends its connections and drops it. */
  drop(): Promise<void>;
}

async function withMaintenanceConnection<Result>(
  maintenanceUrl: string,
  work: (client: Client) => Promise<Result>,
): Promise<Result> {
  const client = new Client({ connectionString: maintenanceUrl });
  client.on('error', () => {});
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates an empty, uniquely named database (`<prefix>_<random>`) on the
 * server `maintenanceUrl` points at.
 */
export async function createScratchDatabase(
  maintenanceUrl: string,
  prefix = 'infernet_test',
): Promise<ScratchDatabase> {
  const name = `${prefix}_${randomBytes(8).toString('hex')}`;
  await withMaintenanceConnection(maintenanceUrl, (client) =>
    client.query(`CREATE DATABASE ${escapeIdentifier(name)}`),
  );
  const url = new URL(maintenanceUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () =>
      withMaintenanceConnection(maintenanceUrl, async (client) => {
        // A test that failed half-way may leave sessions open; they must not keep the database alive.
        await client.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
          [name],
        );
        await client.query(`DROP DATABASE IF EXISTS ${escapeIdentifier(name)} WITH (FORCE)`);
      }),
  };
}

/*
 * Emptying the tables of an instance a finished test gave back takes
 * milliseconds, loading a migrated dump a third of a second or more. So
 * closing a test database parks its instance for the next test of this
 * process instead of closing it. An in-memory instance holds no file, socket
 * or timer, so a parked one keeps nothing open.
 */
let migratedTemplate: Promise<Blob> | undefined;
const parkedInstances: PGlite[] = [];

async function emptyAllTables(pglite: PGlite): Promise<void> {
  const tables = await pglite.query<{ name: string }>(
    `SELECT quote_ident(tablename) AS name FROM pg_tables
     WHERE schemaname = 'public' AND tablename <> 'schema_migrations'`,
  );
  if (tables.rows.length === 0) return;
  await pglite.exec(`TRUNCATE ${tables.rows.map((table) => table.name).join(', ')} CASCADE`);
}

/** A migrated in-memory PGlite with empty tables; hand it back with `parkTestPglite`. */
export async function takeTestPglite(): Promise<PGlite> {
  const parked = parkedInstances.pop();
  if (parked) {
    await emptyAllTables(parked);
    return parked;
  }
  migratedTemplate ??= loadPgliteTemplate().catch((error: unknown) => {
    migratedTemplate = undefined;
    throw error;
  });
  return PGlite.create({ loadDataDir: await migratedTemplate });
}

export async function parkTestPglite(pglite: PGlite): Promise<void> {
  parkedInstances.push(pglite);
}

async function openTestPglite(listen: boolean | undefined): Promise<Database> {
  const pglite = await takeTestPglite();
  return openPgliteDatabase(pglite, () => parkTestPglite(pglite), { listen });
}

/**
 * A migrated database of its own for one test, removed again by `close()`.
 *
 * @example
 * const db = await openTestDatabase({ databaseUrl: process.env.TEST_DATABASE_URL });
 * afterEach(() => db.close());
 */
export async function openTestDatabase(options: TestDatabaseOptions = {}): Promise<Database> {
  if (!options.databaseUrl) return openTestPglite(options.listen);
  const scratch = await createScratchDatabase(options.databaseUrl);
  let database: Database;
  try {
    database = await openDatabase({ databaseUrl: scratch.url, listen: options.listen });
  } catch (error) {
    await scratch.drop();
    throw error;
  }
  return {
    ...database,
    async close() {
      await database.close();
      await scratch.drop();
    },
  };
}
