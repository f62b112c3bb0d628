import { createScratchDatabase as createDatabase, type ScratchDatabase } from '@infernet/db';

export type { ScratchDatabase };

/**
 * The PostgreSQL server benchmarks create their scratch databases on. The
 * role needs CREATEDB; the database in the URL is only used to connect.
 */
export const MAINTENANCE_URL =
  process.env.BENCH_POSTGRES_URL ??
  process.env.TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/postgres';

/** An empty database named `infernet_bench_<random>`, so runs never collide with tests. */
export function createScratchDatabase(): Promise<ScratchDatabase> {
  return createDatabase(MAINTENANCE_URL, 'infernet_bench');
}
