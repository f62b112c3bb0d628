import { randomUUID } from 'node:crypto';
import { Kysely, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from './open-database';
import { createScratchDatabase } from './test-database';

const databaseUrl = process.env.TEST_DATABASE_URL;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe.skipIf(!databaseUrl)('openDatabase on PostgreSQL', () => {
  it('plans each prepared statement once per connection, never per call', async () => {
    const scratch = await createScratchDatabase(databaseUrl!);
    cleanups.push(() => scratch.drop());
    // One pooled connection, so the statements below and the check share it.
    const db = await openDatabase({ databaseUrl: scratch.url, listen: false, poolSize: 1 });
    cleanups.push(() => db.close());

    for (let call = 0; call < 8; call += 1) await db.jobs.findById(randomUUID());

    const kysely = new Kysely({ dialect: db.kyselyDialect });
    cleanups.push(() => kysely.destroy());
    const { rows } = await sql<{ generic_plans: string; custom_plans: string }>`
      SELECT generic_plans, custom_plans FROM pg_prepared_statements
      WHERE statement LIKE '%FROM jobs WHERE id = $1%'`.execute(kysely);
    expect(rows.map((row) => [Number(row.generic_plans), Number(row.custom_plans)])).toEqual([
      [8, 0],
    ]);
  });
});
