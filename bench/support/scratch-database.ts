import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * The PostgreSQL server benchmarks create their scratch databases on. The
 * role needs CREATEDB; the database in the URL is only used to connect.
 */
export const MAINTENANCE_URL =
  process.env.BENCH_POSTGRES_URL ??
  process.env.TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/postgres';

export interface ScratchDatabase {
  name: string;
  url: string;
  /** Ends every session on it and drops it. */
  drop(): Promise<void>;
}

async function withMaintenanceClient<Result>(
  work: (client: pg.Client) => Promise<Result>,
): Promise<Result> {
  const client = new pg.Client({ connectionString: MAINTENANCE_URL });
  client.on('error', () => {});
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty database named `infernet_bench_<random>`, so runs never collide with tests. */
export async function createScratchDatabase(): Promise<ScratchDatabase> {
  const name = `infernet_bench_${randomBytes(6).toString('hex')}`;
  await withMaintenanceClient((client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(MAINTENANCE_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    async drop() {
      await withMaintenanceClient((client) =>
        client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
      );
    },
  };
}
